// Assessment dashboards: read the JSON endpoint, draw indicator cards,
// ECharts charts and, beside each chart, a table with the same numbers
// (for screen readers and for print). No inline scripts (CSP).
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function num(v) {
    if (v === null || v === undefined || v === "") return null;
    var n = Number(v);
    return isNaN(n) ? null : n;
  }

  // Amounts as lib.money.money writes them on the pages: 万元 from ten
  // thousand yuan on (541.5万元, 4300万元, 12,345.68万元), yuan below it.
  var YUAN = /（元）$/;

  function grouped(text) {
    var parts = text.replace(/^-/, "").split(".");
    if (parts[0].length > 4) parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (text.charAt(0) === "-" ? "-" : "") + parts.join(".");
  }

  function money(v) {
    var n = num(v);
    if (n === null) return "—";
    if (Math.abs(n) >= 10000) {
      return grouped(String(Math.round(n / 100) / 100)) + "万元";
    }
    return grouped(n % 1 === 0 ? String(n) : n.toFixed(2)) + "元";
  }

  function table(chart) {
    var t = el("table", { "class": "table table-sm table-bordered chart-table" });
    t.appendChild(el("caption", { "class": "visually-hidden" }, chart.title));
    var head = el("tr");
    chart.columns.forEach(function (c) { head.appendChild(el("th", { scope: "col" }, c.replace(YUAN, ""))); });
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    if (!chart.rows.length) {
      var empty = el("tr");
      empty.appendChild(el("td", { colspan: String(chart.columns.length), "class": "text-muted" },
        "暂无数据（相关台账尚未启用或本年度无记录）"));
      body.appendChild(empty);
    }
    chart.rows.forEach(function (row, i) {
      var tr = el("tr");
      row.forEach(function (v, j) {
        var cell = el(j === 0 ? "th" : "td", j === 0 ? { scope: "row" } : { "class": "amount" });
        var link = j === 0 && chart.row_links ? chart.row_links[i] : null;
        var text = v === null || v === undefined ? "—" : (j > 0 && YUAN.test(chart.columns[j]) ? money(v) : String(v));
        if (link) { cell.appendChild(el("a", { href: link }, text)); } else { cell.textContent = text; }
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
    return t;
  }

  function option(key, chart) {
    var labels = chart.rows.map(function (r) { return String(r[0]); });
    var series = [];
    chart.columns.slice(1).forEach(function (name, j) {
      var data = chart.rows.map(function (r) { return num(r[j + 1]); });
      if (data.some(function (v) { return v !== null; })) {
        var isRate = /%|率|进度/.test(name);
        var entry = { name: name.replace(YUAN, ""), type: isRate ? "line" : "bar", yAxisIndex: isRate ? 1 : 0, data: data };
        if (YUAN.test(name)) { entry.tooltip = { valueFormatter: money }; entry.amount = true; }
        series.push(entry);
      }
    });
    if (key === "disbursement_progress") {
      series = series.filter(function (s) { return !/累计拨付/.test(s.name); });
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 10, right: 10, top: 30, bottom: 10, containLabel: true },
      // interval 0: every category keeps its label (ECharts otherwise hides
      // some when they crowd, e.g. two of the talent chart's five kinds);
      // long or many labels are turned instead.
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: tilted(labels) ? 30 : 0,
        hideOverlap: false, width: 110, overflow: "truncate" } },
      yAxis: [{ type: "value", axisLabel: series.some(function (s) { return s.amount && !s.yAxisIndex; }) ?
        { formatter: function (v) { return v >= 10000 || v <= -10000 ? grouped(String(v / 10000)) + "万" : String(v); } } : {} }, { type: "value", axisLabel: { formatter: "{value}%" }, show: series.some(function (s) { return s.yAxisIndex === 1; }) }],
      series: series,
      aria: { enabled: true }
    };
  }

  function tilted(labels) {
    var chars = labels.reduce(function (n, l) { return n + l.length; }, 0);
    return labels.length > 6 || chars > 16;
  }

  function draw(node, key, chart) {
    if (!window.echarts || !chart.rows.length) return;
    var instance = window.echarts.init(node);
    instance.setOption(option(key, chart));
    window.addEventListener("resize", function () { instance.resize(); });
  }

  function block(key, chart) {
    var col = el("section", { "class": "col chart-block", "data-chart": key });
    var head = col.appendChild(el("div", { "class": "d-flex justify-content-between align-items-baseline gap-2" }));
    var h = head.appendChild(el("h2", { "class": "h6 mb-1" }));
    if (chart.link) { h.appendChild(el("a", { href: chart.link }, chart.title)); } else { h.textContent = chart.title; }
    // The table of the chart's numbers on demand (always in print).
    var id = "table-" + key;
    var toggle = head.appendChild(el("button", { type: "button", "class": "btn btn-link btn-sm p-0 d-print-none",
      "aria-expanded": "false", "aria-controls": id, "data-table-toggle": "" }, "查看表格"));
    // No rows, no canvas: the table says there is no data yet.
    var canvas = col.appendChild(el("div", { "class": chart.rows.length ? "chart" : "chart d-none", role: "img",
      "aria-label": chart.title + "（数据见表格）" }));
    var wrap = col.appendChild(el("div", { id: id, "class": "chart-table-wrap table-responsive" + (chart.rows.length ? " d-none" : "") }));
    if (!chart.rows.length) { toggle.setAttribute("aria-expanded", "true"); toggle.textContent = "收起表格"; }
    wrap.appendChild(table(chart));
    return { node: col, canvas: canvas };
  }

  function render(root, data) {
    var charts = root.querySelector("[data-charts]");
    var order = ["funds_by_category", "disbursement_progress", "projects_by_status", "consumption_by_channel",
      "consumption_by_month", "labour_by_destination", "labour_by_form", "talent_by_kind", "talent_by_direction",
      "procurement_findings", "procurement_by_method", "agreed_items", "rectification", "assets", "beneficiaries", "top_buyers", "top_products"];
    var drawn = [];
    order.forEach(function (key) {
      if (!data.charts[key]) return;
      var b = block(key, data.charts[key]);
      charts.appendChild(b.node);
      drawn.push([b.canvas, key, data.charts[key]]);
    });
    drawn.forEach(function (d) { draw(d[0], d[1], d[2]); });
  }

  function renderTrend(root, trend) {
    var holder = root.querySelector("[data-trend-table]");
    holder.appendChild(table(trend));
    draw(root.querySelector("[data-trend-chart]"), "trend", trend);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("dashboard");
    if (!root) return;
    // The cards come with the page; their bars get their width here (capped at 100%).
    root.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
      bar.style.width = Math.min(100, Number(bar.getAttribute("data-width")) || 0) + "%";
    });
    var opts = { credentials: "same-origin", headers: { Accept: "application/json" } };
    // One request after the other: the trend is secondary and need not
    // compete with the year's figures for the server.
    fetch(root.dataset.url, opts).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (data) {
      root.querySelector("[data-loading]").remove();
      render(root, data);
      return fetch(root.dataset.trends, opts);
    }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (t) {
      renderTrend(root, t);
    }).catch(function () {
      var note = root.querySelector("[data-loading]") || root.insertBefore(el("p", { "class": "text-danger" }), root.firstChild);
      note.textContent = "数据载入失败，请刷新页面重试。";
    });
  });

  document.addEventListener("click", function (event) {
    if (event.target.matches("[data-print]")) window.print();
    var toggle = event.target.closest("[data-table-toggle]");
    if (toggle) {
      var wrap = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = wrap.classList.toggle("d-none") === false;
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? "收起表格" : "查看表格";
    }
  });
})();
