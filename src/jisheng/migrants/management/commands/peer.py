"""`jisheng peer`: register peers, show key fingerprints, send a test message, drain the outbox.

jisheng peer fingerprint                 this deployment's region, public key, fingerprint
jisheng peer add REGION URL KEY --name N  register (or re-key) a peer
jisheng peer list                        the peers and their fingerprints
jisheng peer send-test REGION            queue a test message and send it now
jisheng peer drain                       send everything due (cron, where no worker runs)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisheng.core.errors import JishengError
from jisheng.migrants.exchange import keys, services
from jisheng.migrants.models import OutboxMessage, OutboxState, Peer


class Command(BaseCommand):
    help = "Exchange peers: add, list, fingerprint, send-test, drain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("fingerprint", help="This deployment's region, public key and fingerprint.")
        add = sub.add_parser("add", help="Register or re-key a peer.")
        add.add_argument("region")
        add.add_argument("url")
        add.add_argument("public_key")
        add.add_argument("--name", default="")
        add.add_argument("--algorithm", default=keys.ED25519)
        sub.add_parser("list", help="The registered peers.")
        test = sub.add_parser("send-test", help="Send a test message to a peer now.")
        test.add_argument("region")
        sub.add_parser("drain", help="Send every message that is due.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, "_" + action.replace("-", "_"))(options)
        except JishengError as error:
            raise CommandError(str(error.message)) from error

    def _fingerprint(self, options: dict[str, Any]) -> None:
        public = keys.public_key_text()
        self.stdout.write(f"region      {services.own_region()}")
        self.stdout.write(f"algorithm   {keys.ED25519}")
        self.stdout.write(f"public key  {public}")
        self.stdout.write(f"fingerprint {keys.fingerprint(public)}")

    def _add(self, options: dict[str, Any]) -> None:
        peer = services.peer_add(
            actor=None,
            region_code=options["region"],
            name=options["name"] or options["region"],
            base_url=options["url"],
            public_key=options["public_key"],
            algorithm=options["algorithm"],
        )
        self.stdout.write(f"peer {peer.region_code} {peer.base_url}")
        self.stdout.write(f"fingerprint {keys.fingerprint(peer.public_key)}")

    def _list(self, options: dict[str, Any]) -> None:
        for peer in Peer.objects.order_by("region_code"):
            pending = OutboxMessage.objects.filter(peer=peer, state=OutboxState.PENDING).count()
            self.stdout.write(
                f"{peer.region_code}\t{peer.name}\t{peer.base_url}\t{peer.algorithm}\t"
                f"{keys.fingerprint(peer.public_key)}\tpending={pending}"
            )

    def _send_test(self, options: dict[str, Any]) -> None:
        peer = Peer.objects.filter(region_code=options["region"]).first()
        if peer is None:
            raise CommandError(f"no peer with region {options['region']}")
        message = services.test_message_send(peer=peer)
        services.outbox_drain()
        message.refresh_from_db()
        if message.state != OutboxState.DELIVERED:
            raise CommandError(f"not delivered ({message.state}): {message.last_error}")
        self.stdout.write(f"delivered {message.message_id}")

    def _drain(self, options: dict[str, Any]) -> None:
        result = services.outbox_drain()
        self.stdout.write(
            f"delivered {result.delivered} refused {result.refused} retried {result.retried}"
        )
