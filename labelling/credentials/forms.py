"""The public check of a credential: pasted, or uploaded as the file it was saved in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

# A credential of ours is about 3 KB; anything far larger is not one.
MAX_CREDENTIAL_BYTES = 64 * 1024


class CheckCredentialForm(FlaskForm):
    credential = TextAreaField(
        _l("The credential"),
        validators=[Optional(), Length(max=MAX_CREDENTIAL_BYTES)],
        description=_l("Paste the file's content (JSON) or the token (it starts with eyJ)."),
        render_kw={"rows": 6, "spellcheck": "false", "autocomplete": "off"},
    )
    credential_file = FileField(
        _l("Or its file"),
        description=_l(
            "The .json file as it was downloaded, at most 64 KB. It is checked, not kept."
        ),
        render_kw={"accept": ".json,.jwt,application/json"},
    )

    def read_credential(self) -> str | None:
        """What was pasted, else the upload's text; else an error beside the text box."""
        pasted = (self.credential.data or "").strip()
        if pasted:
            return pasted
        upload = self.credential_file.data
        if upload and getattr(upload, "filename", ""):
            content = upload.read(MAX_CREDENTIAL_BYTES + 1)
            if len(content) > MAX_CREDENTIAL_BYTES:
                self.credential_file.errors.append(str(_l("The file is larger than 64 KB.")))
                return None
            try:
                return content.decode("utf-8").strip() or self._missing()
            except UnicodeDecodeError:
                self.credential_file.errors.append(str(_l("This file is not a credential.")))
                return None
        return self._missing()

    def _missing(self) -> None:
        self.credential.errors.append(str(_l("Paste the credential or choose its file.")))
        return None
