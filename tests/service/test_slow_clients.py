"""Slow clients: 50 connections dribbling their headers must not keep others from answers."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.service.test_gunicorn import running_server

SLOW_CLIENTS = 50
HEADER = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + b"s" * 200 + b"\r\n"


def dribble(address: tuple[str, int], stop: threading.Event, sent: list[int], dropped: list[int]):
    """Send the headers one byte a second, never finishing them, until stopped or cut off."""
    try:
        connection = socket.create_connection(address, timeout=5)
    except OSError:
        return
    with connection:
        for byte in HEADER:
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                dropped.append(1)
                return
            sent.append(1)
            if stop.wait(1.0):
                return


@pytest.mark.slow
def test_slow_clients_do_not_stop_normal_ones(trained_models: Path, tmp_path: Path) -> None:
    with running_server(trained_models, tmp_path, KAKEHASHI_KEEPALIVE="30") as server:
        stop = threading.Event()
        sent: list[int] = []
        dropped: list[int] = []
        threads = [
            threading.Thread(target=dribble, args=(server.address, stop, sent, dropped))
            for _ in range(SLOW_CLIENTS)
        ]
        for thread in threads:
            thread.start()
        try:
            time.sleep(2)  # every slow client is connected and has sent a byte or two
            failures = []
            for n in range(20):
                path = "/healthz" if n % 2 else "/v1/companies/jp-auto/partners?top_k=3"
                try:  # a 2 s socket timeout: a functional bound, not a benchmark
                    with urllib.request.urlopen(server.url + path, timeout=2) as response:
                        assert response.status == 200
                except OSError as error:
                    failures.append(f"{path}: {error}")
                time.sleep(0.2)
            assert failures == []
            assert dropped == []  # the slow clients were still connected all along
            assert len(sent) >= SLOW_CLIENTS * 2
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)


@pytest.mark.slow
def test_slow_clients_are_cut_off_after_the_header_timeout(
    trained_models: Path, tmp_path: Path
) -> None:
    """gunicorn reads a request's headers under a KAKEHASHI_KEEPALIVE-second timeout."""
    with (
        running_server(trained_models, tmp_path, KAKEHASHI_KEEPALIVE="2") as server,
        socket.create_connection(server.address, timeout=15) as connection,
    ):
        connection.sendall(b"GET /healthz HTTP/1.1\r\n")  # and nothing more
        assert connection.recv(1024) == b""  # closed by the server (not the 15 s timeout)
