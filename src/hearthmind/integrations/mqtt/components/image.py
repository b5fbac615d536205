"""`image`: a picture (a camera snapshot, a doorbell's last ring) as bytes on `image_topic`
(raw, or base64 with `image_encoding: b64`) or as a URL on `url_topic`. The state is when
the image last changed (an ISO timestamp), as Home Assistant's image entities report it; the
bytes and the URL stay on the entity (`image`, `url`) for whoever serves them."""

from __future__ import annotations

import base64
import binascii
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler
from .helpers import iso_timestamp

# raw image bytes reach the handler as text: latin-1 maps every byte to one character, so
# the bytes come back unchanged with .encode("latin-1")
RAW_ENCODING = "latin-1"


class ImageConfig(EntityConfig):
    image_topic: str | None = Field(default=None, min_length=1)
    url_topic: str | None = Field(default=None, min_length=1)
    url_template: str | None = None
    content_type: str = "image/jpeg"
    image_encoding: Literal["b64"] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ImageConfig:
        if (self.image_topic is None) == (self.url_topic is None):
            raise ValueError("an image needs exactly one of image_topic and url_topic")
        if self.image_topic is not None and "encoding" not in self.model_fields_set:
            self.encoding = RAW_ENCODING
        return self


class MqttImage(MqttEntity[ImageConfig]):
    component = "image"
    config_model = ImageConfig
    controllable: ClassVar[bool] = False

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._url_tpl = optional_template(self.config.url_template)
        self.image: bytes | None = None
        self.url: str | None = None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        if self.config.image_topic:
            add_handler(topics, self.config.image_topic, self._on_image)
        if self.config.url_topic:
            add_handler(topics, self.config.url_topic, self._on_url)
        return topics

    def _on_image(self, text: str) -> None:
        if self.config.image_encoding == "b64":
            try:
                data = base64.b64decode(text.strip(), validate=True)
            except (binascii.Error, ValueError) as err:
                raise PayloadError(f"image is not valid base64: {err}") from None
        else:
            try:
                data = text.encode(self.config.encoding)
            except UnicodeEncodeError as err:
                raise PayloadError(f"image bytes cannot be read back: {err}") from None
        if not data:
            raise PayloadError("an empty image")
        self.image = data
        self.state = iso_timestamp(self.host)
        self.report()

    def _on_url(self, text: str) -> None:
        url = self.render(self._url_tpl, text).strip()
        if not url.startswith(("http://", "https://")):
            raise PayloadError(f"Invalid image URL '{url[:60]}'")
        if url != self.url:
            self.url = url
            self.state = iso_timestamp(self.host)
            self.report()
