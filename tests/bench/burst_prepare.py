"""Helpers for tests/bench/bench_burst.sh (make bench; docs/performance.md).

  burst_prepare.py rules OUTDIR        the Maebashi rule book with the per-person caps raised
                                       to the validator's highest (100 holds, 1000 slots a
                                       month), so that ~SLOTS/90 accounts stand for the city's
                                       citizens; every other rule still runs on every request
  burst_prepare.py attempts BASE IDS PASSWORD SLOTS ATTEMPTS
                                       sign each account in, read June's free slots from the
                                       feed (May and June), print ATTEMPTS lines "TOKEN<TAB>BODY" on SLOTS
                                       distinct free slots (each tried ATTEMPTS/SLOTS times),
                                       shuffled with a fixed seed
  burst_prepare.py fsync DIR           fsyncs per second of a small file in DIR for one second:
                                       the disk's limit for one commit each
  burst_prepare.py cpu PID             the CPU time each thread of PID has run so far, in ns
                                       (/proc/PID/task/*/schedstat), one "TID NAME NS" a line
  burst_prepare.py cpudiff BEFORE AFTER N CLIENT_MS
                                       CPU per booking between two `cpu` snapshots for N
                                       stored bookings: the whole server, its writer thread,
                                       the rest, and the client (CLIENT_MS of CPU); load-
                                       insensitive, unlike a rate

Only 127.0.0.1 is ever contacted.
"""
import json
import os
import random
import shutil
import sys
import time
import urllib.request


def rules(out):
    src = 'ordinances/maebashi'
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(src):
        path = os.path.join(src, name)
        if name.startswith('rules-'):
            with open(path, encoding='utf-8') as f:
                book = json.load(f)
            book['holds']['max_per_user'] = 100          # the validator's highest
            book['limits']['person_slots_per_month'] = 1000
            with open(os.path.join(out, name), 'w', encoding='utf-8') as f:
                json.dump(book, f, ensure_ascii=False, indent=2)
        else:
            shutil.copy(path, out)


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def attempts(base, ids_file, password, slots, tries):
    assert base.startswith('http://127.0.0.1:')
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()]
    tokens = [call(base, 'POST', '/api/v1/session',
                   {'system_id': i, 'password': password})['token'] for i in ids]
    free = []
    # May (open since 1 March) and June (opening now): about 12,000 room slots
    for n in range(61):
        date = '2026-%02d-%02d' % ((5, n + 1) if n < 31 else (6, n - 30))
        feed = call(base, 'GET', '/api/v1/availability?date=' + date)
        for c in feed['centers']:
            for room in c['rooms']:
                for s in room['slots']:
                    if s['state'] == 'free':
                        free.append((room['id'], date, s['code']))
    rnd = random.Random(18)
    rnd.shuffle(free)
    targets = free[:slots]
    if len(targets) < slots:
        print('bench: only %d free slots in May and June (asked for %d)' % (len(targets), slots),
              file=sys.stderr)
    each = max(1, tries // max(1, len(targets)))
    lines = [t for t in targets for _ in range(each)]
    rnd.shuffle(lines)
    for n, (room, date, slot) in enumerate(lines):
        body = json.dumps({'room_id': room, 'date': date, 'slots': [slot],
                           'purpose': '練習', 'attendees': 1}, ensure_ascii=False)
        print('%s\t%s' % (tokens[n % len(tokens)], body))


def fsync_rate(directory):
    path = os.path.join(directory, 'fsync-probe')
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    block = b'x' * 4096
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < 1.0:
        os.pwrite(fd, block, 0)
        os.fsync(fd)
        n += 1
    elapsed = time.monotonic() - t0
    os.close(fd)
    os.unlink(path)
    print('%.0f' % (n / elapsed))


def cpu(pid):
    for tid in sorted(os.listdir('/proc/%s/task' % pid), key=int):
        try:
            with open('/proc/%s/task/%s/schedstat' % (pid, tid)) as f:
                ns = int(f.read().split()[0])
            with open('/proc/%s/task/%s/comm' % (pid, tid)) as f:
                name = f.read().strip().replace(' ', '_') or '?'
        except OSError:
            continue   # a thread that ended meanwhile
        print('%s %s %d' % (tid, name, ns))


def cpudiff(before, after, n, client_ms):
    def read(path):
        with open(path) as f:
            return {t: (name, int(ns)) for t, name, ns in (line.split() for line in f)}
    a, b = read(before), read(after)
    total = writer = 0
    for tid, (name, ns) in b.items():
        d = ns - a.get(tid, (name, 0))[1]
        total += d
        if name == 'writer':
            writer += d
    n = max(1, int(n))
    client = float(client_ms) * 1e6
    print('cpu per booking: server %.0f us (writer %.0f us, other threads %.0f us),'
          ' client %.0f us, all %.0f us' % (total / n / 1e3, writer / n / 1e3,
                                            (total - writer) / n / 1e3, client / n / 1e3,
                                            (total + client) / n / 1e3))


if __name__ == '__main__':
    what = sys.argv[1]
    if what == 'rules':
        rules(sys.argv[2])
    elif what == 'attempts':
        attempts(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif what == 'fsync':
        fsync_rate(sys.argv[2])
    elif what == 'cpu':
        cpu(sys.argv[2])
    elif what == 'cpudiff':
        cpudiff(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit('usage: see the top of this file')
