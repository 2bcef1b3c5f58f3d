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
      grid: { left: 60, right: 50, top: 30, bottom: 60 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: labels.length > 6 ? 30 : 0 } },
      yAxis: [{ type: "value", axisLabel: series.some(function (s) { return s.amount && !s.yAxisIndex; }) ?
        { formatter: function (v) { return v >= 10000 || v <= -10000 ? grouped(String(v / 10000)) + "万" : String(v); } } : {} }, { type: "value", axisLabel: { formatter: "{value}%" }, show: series.some(function (s) { return s.yAxisIndex === 1; }) }],
      series: series,
      aria: { enabled: true }
    };
  }

  function draw(node, key, chart) {
    if (!window.echarts || !chart.rows.length) return;
    var instance = window.echarts.init(node);
    instance.setOption(option(key, chart));
    window.addEventListener("resize", function () { instance.resize(); });
  }

  function block(key, chart) {
    var col = el("section", { "class": "col-lg-6 chart-block", "data-chart": key });
    var h = el("h2", { "class": "h6" });
    if (chart.link) { h.appendChild(el("a", { href: chart.link }, chart.title)); } else { h.textContent = chart.title; }
    col.appendChild(h);
    // No rows, no canvas: the table says there is no data yet.
    var canvas = col.appendChild(el("div", { "class": chart.rows.length ? "chart" : "chart d-none", role: "img",
      "aria-label": chart.title + "（数据见下表）" }));
    var details = col.appendChild(el("details", { "class": "chart-details", open: "" }));
    details.appendChild(el("summary", {}, "表格"));
    details.appendChild(table(chart));
    return { node: col, canvas: canvas };
  }

  function card(row) {
    var col = el("div", { "class": "col" });
    var c = col.appendChild(el("div", { "class": "card h-100 indicator-card", "data-code": row.code }));
    var body = c.appendChild(el("div", { "class": "card-body p-2" }));
    var title = body.appendChild(el("div", { "class": "small text-muted" }));
    if (row.link) { title.appendChild(el("a", { href: row.link }, row.name)); } else { title.textContent = row.name; }
    body.appendChild(el("div", { "class": "fs-5 amount text-start" }, row.actual_display));
    body.appendChild(el("div", { "class": "small" }, "目标 " + row.target_display +
      (row.completion !== null ? " · 完成 " + row.completion + "%" : "")));
    if (row.completion !== null) {
      var bar = body.appendChild(el("div", { "class": "progress", role: "progressbar", "aria-valuenow": row.completion,
        "aria-valuemin": "0", "aria-valuemax": "100", "aria-label": row.name + "完成率" }));
      var pct = Math.min(100, Number(row.completion));
      bar.appendChild(el("div", { "class": "progress-bar" + (pct >= 100 ? " bg-success" : ""), style: "width:" + pct + "%" }));
    }
    (row.disaggregations || []).forEach(function (d) {
      if (d.actual !== null) body.appendChild(el("div", { "class": "small text-muted" }, d.name + "：" + d.actual));
    });
    return col;
  }

  function render(root, data) {
    root.querySelector("[data-status]").textContent = data.locked ? "已确认（锁定）" : (data.status ? "自评" + ({ draft: "起草中", submitted: "待东部确认" }[data.status] || "") : "实时数据");
    var cards = root.querySelector("[data-cards]");
    data.indicators.forEach(function (row) { cards.appendChild(card(row)); });
    var alerts = root.querySelector("[data-alerts]");
    if (!data.alerts.length) alerts.appendChild(el("li", { "class": "list-group-item text-muted" }, "暂无预警"));
    data.alerts.forEach(function (a) {
      alerts.appendChild(el("li", { "class": "list-group-item" }, a.message || a.title || ((a.rule || "") + " " + (a.count || ""))));
    });
    var charts = root.querySelector("[data-charts]");
    var order = ["funds_by_category", "disbursement_progress", "projects_by_status", "consumption_by_channel",
      "consumption_by_month", "labour_by_destination", "labour_by_form", "talent_by_kind", "talent_by_direction",
      "procurement_findings", "procurement_by_method", "agreed_items", "beneficiaries", "top_buyers", "top_products"];
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
  });
})();
