#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 for the mail tests (Debian's python3-aiosmtpd).

    python3 tests/api/smtp_sink.py PORT DIR [REFUSED_ADDRESS ...]

Each accepted message is written to DIR as a file of its own (the raw bytes
as received, DATA only). RCPT TO one of the REFUSED addresses is answered
550 (a permanent refusal). Prints "ready PORT" when it listens; stops on
SIGTERM.
"""
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, refused):
        self.folder = folder
        self.refused = set(a.lower() for a in refused)
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        name = "%d-%06d.eml" % (os.getpid(), self.n)
        tmp = os.path.join(self.folder, "." + name)
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.folder, name))
        return "250 Message accepted for delivery"


def main():
    port, folder, refused = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    os.makedirs(folder, exist_ok=True)
    c = Controller(Sink(folder, refused), hostname="127.0.0.1", port=port)
    c.start()
    print("ready %d" % port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    while not done.is_set():
        time.sleep(0.1)
    c.stop()


if __name__ == "__main__":
    main()
