"""`talentbridge org ...` and `talentbridge user create`: organisations, keys and people."""

import argparse
import sys
from typing import Any


def _org_create(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from talentbridge.db import session_scope
    from talentbridge.organisations import service
    from talentbridge.organisations.schemas import OrganisationCreate

    try:
        body = OrganisationCreate(
            kind=args.kind, name=args.name, state=args.state, prefecture=args.prefecture
        )
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(map(str, error['loc'])) or 'input'}: {error['msg']}", file=sys.stderr)
        return 2
    with session_scope() as session:
        organisation, key = service.create(session=session, organisation_in=body)
        print(f"created {organisation.kind} {organisation.id}: {organisation.name}")
    print(f"API key (shown once, keep it safe): {key}")
    return 0


def _org_keys(args: argparse.Namespace) -> int:
    from talentbridge.db import session_scope
    from talentbridge.organisations import service
    from talentbridge.organisations.models import Organisation

    with session_scope() as session:
        organisation = session.get(Organisation, args.id)
        if organisation is None:
            print(f"no organisation {args.id}", file=sys.stderr)
            return 2
        revoked = service.revoke_keys(session=session, organisation_id=organisation.id)
        print(f"revoked {revoked} key(s) of {organisation.kind} {organisation.id}")
        if args.command_name == "rotate-key":
            key = service.issue_key(session=session, organisation=organisation)
            print(f"API key (shown once, keep it safe): {key}")
    return 0


def _user_create(args: argparse.Namespace) -> int:
    import getpass
    import os

    from pydantic import ValidationError

    from talentbridge.accounts import service
    from talentbridge.accounts.schemas import UserCreate
    from talentbridge.db import session_scope
    from talentbridge.errors import DomainError
    from talentbridge.organisations.models import Organisation

    password = os.environ.get("TALENTBRIDGE_USER_PASSWORD") or getpass.getpass("Password: ")
    try:
        body = UserCreate(email=args.email, name=args.name, role=args.role, password=password)
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(map(str, error['loc'])) or 'input'}: {error['msg']}", file=sys.stderr)
        return 2
    with session_scope() as session:
        organisation = session.get(Organisation, args.organisation)
        if organisation is None:
            print(f"no organisation {args.organisation}", file=sys.stderr)
            return 2
        try:
            user = service.create(session=session, organisation=organisation, user_in=body)
        except DomainError as exc:
            print(f"{exc.field}: {exc.message}", file=sys.stderr)
            return 2
        print(f"created {user.role} {user.id}: {user.email} of {organisation.name}")
    return 0


def add_commands(commands: Any) -> None:
    """Add the organisation and people commands to the CLI's subparsers."""
    org = commands.add_parser("org", help="organisations").add_subparsers(
        dest="org_command", required=True
    )
    create = org.add_parser("create", help="create an organisation and print its API key once")
    create.add_argument("--kind", required=True, choices=["institute", "employer", "officer"])
    create.add_argument("--name", required=True)
    create.add_argument("--state", help="Indian state (institutes)")
    create.add_argument("--prefecture", help="Japanese prefecture (employers)")
    create.set_defaults(run=_org_create)
    for name, text in (
        ("revoke-keys", "revoke every key of an organisation"),
        ("rotate-key", "revoke every key and print a new one"),
    ):
        keys = org.add_parser(name, help=text)
        keys.add_argument("--id", type=int, required=True)
        keys.set_defaults(run=_org_keys, command_name=name)

    user = commands.add_parser("user", help="people of organisations").add_subparsers(
        dest="user_command", required=True
    )
    person = user.add_parser(
        "create", help="add a person (password from TALENTBRIDGE_USER_PASSWORD or a prompt)"
    )
    person.add_argument("--organisation", type=int, required=True, help="organisation id")
    person.add_argument("--email", required=True)
    person.add_argument("--name", required=True)
    person.add_argument("--role", choices=["admin", "member"], default="admin")
    person.set_defaults(run=_user_create)
