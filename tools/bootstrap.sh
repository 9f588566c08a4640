#!/usr/bin/env bash
# Prepare this checkout: install uv if missing and sync .venv from uv.lock.
#
#   tools/bootstrap.sh          Python environment only
#   tools/bootstrap.sh --test   also the Debian packages the test suite needs
#
# Idempotent and quick when everything is already in place. Run as root on
# Debian 12. Nothing is exported into the caller's environment or profile.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

with_test=0
for arg in "$@"; do
    case "$arg" in
        --test) with_test=1 ;;
        -h | --help)
            sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *)
            echo "bootstrap: unknown option: $arg" >&2
            exit 2
            ;;
    esac
done

TEST_APT_PACKAGES=(chromium postgresql gettext fonts-noto-cjk)

die() {
    echo "bootstrap: error: $*" >&2
    exit 1
}

# Print the real path of a Python interpreter that runs; fail otherwise.
# pyenv shims are avoided on purpose: `python3.13` fails unless pyenv global
# lists that version, so the pyenv versions are looked up directly.
find_python() {
    local pyenv_root="${PYENV_ROOT:-/root/.pyenv}" minor cand
    local -a cands
    for minor in 3.13 3.12; do
        cands=()
        for cand in "$pyenv_root"/versions/"$minor"*/bin/python"$minor"; do
            [[ -x "$cand" ]] && cands+=("$cand")
        done
        ((${#cands[@]})) || continue
        while IFS= read -r cand; do
            if "$cand" -c 'import sys' >/dev/null 2>&1; then
                printf '%s\n' "$cand"
                return 0
            fi
        done < <(printf '%s\n' "${cands[@]}" | sort -rV)
    done
    for minor in 3.13 3.12; do
        if command -v "python$minor" >/dev/null 2>&1 &&
            cand="$("python$minor" -c 'import sys; print(sys.executable)' 2>/dev/null)" &&
            [[ -n "$cand" ]]; then
            printf '%s\n' "$cand"
            return 0
        fi
    done
    return 1
}

# Set UV to a working uv command, installing uv with pip if there is none.
UV=()
find_uv() {
    if uv --version >/dev/null 2>&1; then
        UV=(uv)
    elif python3 -m uv --version >/dev/null 2>&1; then
        UV=(python3 -m uv)
    else
        return 1
    fi
}

ensure_uv() {
    find_uv && return 0
    echo "bootstrap: installing uv with pip"
    PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
        python3 -m pip install --quiet uv ||
        PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
            python3 -m pip install --quiet --break-system-packages uv ||
        die "could not install uv with 'python3 -m pip install uv'"
    if command -v pyenv >/dev/null 2>&1; then
        pyenv rehash >/dev/null 2>&1 || true
    fi
    find_uv || die "uv was installed but neither 'uv' nor 'python3 -m uv' runs"
}

ensure_apt_packages() {
    local pkg
    local -a missing=()
    for pkg in "$@"; do
        if ! dpkg -s "$pkg" 2>/dev/null | grep -qx 'Status: install ok installed'; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0
    [[ "$(id -u)" == 0 ]] || die "must run as root to install: ${missing[*]}"
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
        die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 \
        "${missing[@]}" >/dev/null ||
        die "apt-get install failed for: ${missing[*]}"
}

if ((with_test)); then
    ensure_apt_packages "${TEST_APT_PACKAGES[@]}"
fi

python="$(find_python)" ||
    die "no working Python 3.13 or 3.12 found (looked in ${PYENV_ROOT:-/root/.pyenv}/versions/3.13*, 3.12*, then python3.13/python3.12 on PATH)"
echo "bootstrap: using Python $("$python" -c 'import platform; print(platform.python_version())') at $python"

ensure_uv
UV_PYTHON_DOWNLOADS=never "${UV[@]}" sync --frozen --quiet --python "$python" ||
    die "'uv sync --frozen --python $python' failed"
echo "bootstrap: .venv is in sync with uv.lock"
