#!/usr/bin/env bash
# Runs the bot locally with Microsoft 365 Agents Playground as its Teams client (`make run`).
#
#   PORT=3978              the bot (python app.py: embedded store under BOT_DATA_DIR, anonymous:
#                          BOT_ANONYMOUS=true)
#   PLAYGROUND_PORT=56150  the Playground's page; it takes another port if this one is taken
#   BOT_DATA_DIR=./data    where the embedded store keeps its data
#
# Waits until both answer, prints the address to open, and stops both on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-3978}"
PLAYGROUND_PORT="${PLAYGROUND_PORT:-56150}"
export BOT_DATA_DIR="${BOT_DATA_DIR:-./data}"
LOG_DIR="${LOG_DIR:-./devTools}"
PYTHON=.venv/bin/python
PLAYGROUND=node_modules/.bin/agentsplayground
START_TIMEOUT="${START_TIMEOUT:-60}"

for need in "$PYTHON" "$PLAYGROUND"; do
  if [ ! -x "$need" ]; then
    echo "error: $need is missing; run 'make setup' (or 'make run', which installs it)." >&2
    exit 1
  fi
done
mkdir -p "$LOG_DIR"
PLAYGROUND_OUT="$LOG_DIR/playground.out"
PLAYGROUND_LOG="$LOG_DIR/playground.log"
: >"$PLAYGROUND_OUT"

bot_pid=""
playground_pid=""

# Each child runs in a session (and process group) of its own, started by setsid, so stopping
# one kills its whole group (the Playground's node and anything it spawned) and Ctrl-C in this
# terminal reaches only this script, which then stops both.
stop_all() {
  trap - INT TERM EXIT
  local pid
  for pid in $playground_pid $bot_pid; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in $playground_pid $bot_pid; do
    for _ in $(seq 1 50); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
on_signal() {
  echo
  echo "Stopping the bot and the Playground..."
  stop_all
  exit 0
}
trap on_signal INT TERM
trap stop_all EXIT

http_ok() {  # http_ok URL: true when URL answers 2xx
  "$PYTHON" - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
        sys.exit(0 if response.status < 300 else 1)
except Exception:
    sys.exit(1)
PY
}

wait_for() {  # wait_for WHAT PID CHECK...: polls CHECK until it succeeds or PID exits
  local what="$1" pid="$2"
  shift 2
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $what exited while starting." >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "error: $what did not answer within ${START_TIMEOUT}s." >&2
      return 1
    fi
    sleep 0.2
  done
}

port_free() {  # port_free PORT: true when nothing listens on PORT of the loopback address
  "$PYTHON" - "$1" <<'PY' 2>/dev/null
import socket, sys
with socket.socket() as probe:
    try:
        probe.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PY
}

# Checked first: with the port taken, the health check below would reach the other process
# and report the bot running before it fails.
if ! port_free "$PORT"; then
  echo "error: port $PORT is taken by another process; stop it or run 'PORT=<free port> make run'." >&2
  exit 1
fi

# The bot: anonymous (no app id, asked for with BOT_ANONYMOUS=true), embedded store; variables
# set here win over a .env file.
echo "Starting the bot on http://127.0.0.1:$PORT (data in $BOT_DATA_DIR)..."
PORT="$PORT" HOST="${HOST:-127.0.0.1}" MicrosoftAppId="" MicrosoftAppPassword="" BOT_ANONYMOUS=true \
  COSMOS_ENDPOINT="" PYTHONUNBUFFERED=1 \
  setsid "$PYTHON" app.py &
bot_pid=$!
wait_for "the bot" "$bot_pid" http_ok "http://127.0.0.1:$PORT/healthz"

echo "Starting the Agents Playground (log: $PLAYGROUND_LOG)..."
TEAMSAPPTESTER_BROWSER=none M365_AGENTS_PLAYGROUND_LOGFILE="$PLAYGROUND_LOG" \
  setsid "$PLAYGROUND" -e "http://127.0.0.1:$PORT/api/messages" -c msteams --dt \
  -p "$PLAYGROUND_PORT" >"$PLAYGROUND_OUT" 2>&1 </dev/null &
playground_pid=$!

playground_listening() {
  local port
  port="$(sed -n 's/.*Listening on \([0-9][0-9]*\).*/\1/p' "$PLAYGROUND_OUT" | head -n 1)"
  [ -n "$port" ] && http_ok "http://127.0.0.1:$port/" && PLAYGROUND_PORT="$port"
}
if ! wait_for "the Playground" "$playground_pid" playground_listening; then
  cat "$PLAYGROUND_OUT" >&2
  exit 1
fi

cat <<EOF

  ============================================================================
   FastTrack EMS Onboarding bot is running with Microsoft 365 Agents Playground

   Open in a browser:   http://localhost:$PLAYGROUND_PORT

   Bot endpoint:        http://127.0.0.1:$PORT/api/messages   (health: /healthz)
   Playground log:      $PLAYGROUND_LOG
   Stop both:           Ctrl-C
  ============================================================================

EOF

# Runs until Ctrl-C, or until one of them stops on its own (then the other is stopped too).
set +e
wait -n "$bot_pid" "$playground_pid"
status=$?
echo "A process stopped (exit $status); stopping the other." >&2
exit "$status"
