"""Documents of a contract (合同附件): type and size checked like customer uploads; read only through
the contract's gate, added and removed by those who may update the contract."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core import access, audit
from core.audit import Action
from customers.uploads import check_upload

from .models import Contract, ContractAttachment


@transaction.atomic
def attachment_add(*, actor, contract: Contract, upload) -> ContractAttachment:
    checked = check_upload(upload)  # ValidationError names the file; nothing is stored
    locked = access.get_visible(actor, "update", Contract.objects.select_for_update(of=("self",)), pk=contract.pk)
    row = ContractAttachment(contract=locked, name=checked.name, size=checked.size,
                             content_type=checked.content_type, uploaded_by=actor)
    row.file.save(checked.name, checked.upload, save=False)
    row.save()
    audit.log(actor=actor, action=Action.UPDATE, instance=locked, changes={"attachment_added": checked.name},
              message=_("Document added"))
    return row


@transaction.atomic
def attachment_remove(*, actor, attachment_id: int) -> None:
    row = access.get_visible(actor, "update", ContractAttachment.objects.select_related("contract"), pk=attachment_id)
    name = row.name
    row.file.delete(save=False)
    row.delete()
    audit.log(actor=actor, action=Action.UPDATE, instance=row.contract, changes={"attachment_removed": name},
              message=_("Document removed"))


def attachment_for_download(*, user, attachment_id: int) -> ContractAttachment:
    return access.get_visible(user, "read", ContractAttachment, pk=attachment_id)
