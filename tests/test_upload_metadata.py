"""Photos lose their metadata on upload: the one upload check re-encodes
every image with Pillow, so a GPS position, the owner's name or a phone
number in the EXIF tags never reaches the disk."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from lib.uploads import PHOTO_TYPES, check_upload
from xiezuo.funds.models import ProjectAttachment

from .checklist import login

SECRET_NAME = "张示例"
SECRET_PHONE = "13997123456"
ARTIST = "Zhang Shili"  # EXIF text tags are ASCII


def tagged_jpeg():
    """A JPEG as a phone writes it: GPS position, Artist, UserComment, rotated."""
    img = Image.new("RGB", (40, 20), (10, 120, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = ARTIST
    exif[ExifTags.Base.Orientation] = 6  # the camera was held upright: 90° clockwise
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    ifd[ExifTags.Base.UserComment] = b"ASCII\0\0\0" + f"call {SECRET_PHONE}".encode()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (36.0, 41.0, 5.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (101.0, 15.0, 42.0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, comment=f"{SECRET_NAME} {SECRET_PHONE}".encode())
    data = buf.getvalue()
    # The test file really carries what it is meant to (a test must be able to fail).
    with Image.open(io.BytesIO(data)) as check:
        tags = check.getexif()
        assert tags[ExifTags.Base.Artist] == ARTIST
        assert tags.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert all(secret.encode() in data for secret in (SECRET_PHONE, SECRET_NAME, ARTIST))
    return data


def assert_clean(data):
    assert not any(secret.encode() in data for secret in (SECRET_PHONE, SECRET_NAME, ARTIST))
    assert b"Exif\0\0" not in data
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        assert img.format == "JPEG" and not img.getexif() and "exif" not in img.info and "comment" not in img.info
        # Turned upright before the orientation tag went: 40×20 becomes 20×40.
        assert img.size == (20, 40)


def test_the_upload_check_rewrites_the_image_without_metadata():
    upload = SimpleUploadedFile("site.jpg", tagged_jpeg(), content_type="image/jpeg")
    assert check_upload(upload, PHOTO_TYPES, 10 * 1024 * 1024) == "image/jpeg"
    upload.seek(0)
    data = upload.read()
    assert upload.size == len(data)
    assert_clean(data)


def test_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", SECRET_NAME)
    buf = io.BytesIO()
    Image.new("RGBA", (5, 5), (0, 0, 0, 0)).save(buf, "PNG", pnginfo=info)
    upload = SimpleUploadedFile("map.png", buf.getvalue())
    check_upload(upload, PHOTO_TYPES, 1024 * 1024)
    upload.seek(0)
    data = upload.read()
    assert SECRET_NAME.encode() not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.mode == "RGBA" and not img.text


def test_a_file_that_only_starts_like_an_image_is_refused():
    upload = SimpleUploadedFile("fake.jpg", b"\xff\xd8\xff" + b"<script>alert(1)</script>" * 4)
    with pytest.raises(ValueError, match="无法识别为图片"):
        check_upload(upload, PHOTO_TYPES, 1024 * 1024)


@pytest.mark.django_db
def test_a_project_photo_is_stored_without_exif(settings, tmp_path, county):
    settings.MEDIA_ROOT = tmp_path
    project = county.projects.order_by("pk").first()
    r = login("huangyuan").post(reverse("attachment_upload", args=[project.pk]), {
        "kind": "photo", "title": "入户照片", "file": SimpleUploadedFile("site.jpg", tagged_jpeg())})
    assert r.status_code == 302
    attachment = ProjectAttachment.objects.get(project=project, title="入户照片")
    stored = (tmp_path / attachment.file.name).read_bytes()
    assert attachment.size == len(stored)
    assert_clean(stored)
