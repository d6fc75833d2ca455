"""Two responder processes on one database behind one nginx upstream, 16 concurrent writers: no
write lost, no SQLITE_BUSY reaching a client (every request answered as if alone)."""

from __future__ import annotations

import signal
import threading
import time
import uuid

from conftest import start_responder, stop_process, unique_ip, wait_for_socket
from conversions import conversion_body, insert_code, post_conversion
from test_fastcgi_peers import cpu_seconds

WRITERS = 16
EACH = 60


def test_two_responders_on_one_database_lose_nothing(make_stack):
    stack = make_stack("two-responders", FCGI_THREADS="4")
    second_socket = stack.dir / "second.sock"
    second_env = {**stack.env, "FCGI_SOCKET": str(second_socket)}
    second = start_responder(second_env, stack.dir / "second.stderr")
    try:
        wait_for_socket(second_socket, second, stack.dir / "second.stderr")
        config = (stack.dir / "nginx.conf").read_text()
        upstream = f"server unix:{stack.socket_path.resolve()};"
        assert upstream in config
        (stack.dir / "nginx.conf").write_text(config.replace(upstream, f"{upstream}\n        server unix:{second_socket};"))
        stack.nginx.send_signal(signal.SIGHUP)
        time.sleep(0.5)  # the reload replaces the workers
        code = insert_code(stack)
        cpu_before = (cpu_seconds(stack.responder.pid), cpu_seconds(second.pid))
        statuses: list[int] = []
        payments: list[str] = []
        lock = threading.Lock()

        def writer(index: int) -> None:
            for number in range(EACH):
                if number % 2:
                    payment = f"two-{uuid.uuid4().hex}"
                    status = post_conversion(stack, conversion_body(code, paymentTx=payment)).status
                    with lock:
                        payments.append(payment)
                else:
                    status = stack.get(f"/r/{code}", ip=unique_ip()).status
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=writer, args=(index,)) for index in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        assert sorted(set(statuses)) == [201, 302], {s: statuses.count(s) for s in set(statuses)}
        clicks = stack.query("SELECT count(*) FROM clicks JOIN referral_codes k ON k.id = clicks.code_id "
                             "WHERE k.code = ?", (code,))[0][0]
        assert clicks == WRITERS * EACH // 2
        stored = stack.query("SELECT count(*) FROM conversions WHERE payment_tx LIKE 'two-%'")[0][0]
        assert stored == len(payments) == WRITERS * EACH // 2
        # Both processes did work.
        assert cpu_seconds(stack.responder.pid) > cpu_before[0] and cpu_seconds(second.pid) > cpu_before[1]
        assert stack.query("PRAGMA integrity_check")[0][0] == "ok"
    finally:
        stop_process(second)
