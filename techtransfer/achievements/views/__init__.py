"""Server-rendered pages for achievements. `dashboard` is also the portal's "My workspace"."""

from techtransfer.achievements.views.lists import (
    achievement_export,
    achievement_list,
    export_download,
    export_status,
    funded_import,
    funded_owing,
    funded_owing_export,
    import_batch,
    import_template,
    import_upload,
    review_queue,
    workspace_context,
)
from techtransfer.achievements.views.records import (
    achievement_detail,
    achievement_edit,
    achievement_new,
    attachment_add,
    attachment_download,
    attachment_remove,
    form_row,
)
from techtransfer.achievements.views.revise import achievement_revise

__all__ = [
    "achievement_detail",
    "achievement_edit",
    "achievement_export",
    "achievement_list",
    "achievement_new",
    "achievement_revise",
    "attachment_add",
    "attachment_download",
    "attachment_remove",
    "export_download",
    "export_status",
    "form_row",
    "funded_import",
    "funded_owing",
    "funded_owing_export",
    "import_batch",
    "import_template",
    "import_upload",
    "review_queue",
    "workspace_context",
]
