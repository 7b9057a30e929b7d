#!/usr/bin/env bash
# Local Neo4j 5.26 LTS server for development and CI, built only from Maven Central
# jars (see neo4j-server/pom.xml). Needs Java 17+ and, for the first build, Maven.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/neo4j-server.sh start|stop|status|--help

  start   Build neo4j-server/ if needed (mvn), start Neo4j in the background and wait
          until Bolt answers on 127.0.0.1:$NEO4J_BOLT_PORT. Idempotent: exits 0 if it
          is already running.
  stop    Stop the server cleanly (SIGTERM, waits for the store to close).
  status  Print whether it is running; exit 0 if running and answering, 1 if not.

Environment:
  NEO4J_PASSWORD       password of user 'neo4j' (default: testimony-dev-password,
                       with a note on stderr); set on every start
  NEO4J_BOLT_PORT      Bolt port on 127.0.0.1 (default 7687); always loopback only
  NEO4J_DATA_DIR       data folder: store, logs, pid file (default <repo>/.neo4j-data)
  NEO4J_JAVA_OPTS      JVM memory options (default: -Xms256m -Xmx1g)
  NEO4J_PAGECACHE      page cache size (default 256m)
  NEO4J_TX_MEMORY      memory one transaction may use, e.g. 32m (default 0: no cap of its own)
  NEO4J_START_TIMEOUT  seconds to wait for Bolt on start (default 120)
  NEO4J_STOP_TIMEOUT   seconds to wait for a clean stop before SIGKILL (default 60)
  JAVA_HOME            Java 17+ to use (default: java on PATH)
  MAVEN_OPTS           e.g. -Dmaven.repo.local=/path for a non-default Maven cache

Files in the data folder: neo4j-server.log (this run's output; the previous run's is
neo4j-server.log.1), neo4j-server.pid, logs/debug.log (Neo4j's own log), data/ (store).
EOF
}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SERVER_DIR=$REPO_ROOT/neo4j-server
MAIN_CLASS=testimony.neo4jserver.Launcher
DEFAULT_PASSWORD=testimony-dev-password

PORT=${NEO4J_BOLT_PORT:-7687}
DATA_DIR=${NEO4J_DATA_DIR:-$REPO_ROOT/.neo4j-data}
START_TIMEOUT=${NEO4J_START_TIMEOUT:-120}
STOP_TIMEOUT=${NEO4J_STOP_TIMEOUT:-60}
JAVA_MEM_OPTS=${NEO4J_JAVA_OPTS:--Xms256m -Xmx1g}
# The flags Neo4j's own launcher passes: without the add-opens the page cache and the
# transaction log fall back to slower paths and debug.log fills with warnings.
JAVA_FIXED_OPTS=(
    -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow
    -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true
    -Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
)

say() { echo "neo4j-server: $*"; }
err() { echo "neo4j-server: $*" >&2; }

case "$PORT" in
    '' | *[!0-9]*) err "NEO4J_BOLT_PORT must be a number, got '$PORT'"; exit 2 ;;
esac

# Absolute path: the Java process and the pid check must agree whatever the caller's cwd.
abs_data_dir() {
    mkdir -p "$DATA_DIR"
    DATA_DIR=$(cd "$DATA_DIR" && pwd)
    PID_FILE=$DATA_DIR/neo4j-server.pid
    LOG_FILE=$DATA_DIR/neo4j-server.log
    READY_FILE=$DATA_DIR/neo4j-server.ready
}

# Serialise start/stop on one data folder (two CI steps starting at once must not both build
# or both launch). The Java child must not inherit fd 9, or it would hold the lock forever.
take_lock() {
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$DATA_DIR/neo4j-server.lock"
        flock -w 600 9 || { err "could not lock $DATA_DIR/neo4j-server.lock"; exit 1; }
    fi
}

find_java() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        JAVA=$JAVA_HOME/bin/java
    elif command -v java >/dev/null 2>&1; then
        JAVA=$(command -v java)
    else
        err "java not found: install Java 17+ or set JAVA_HOME"; exit 1
    fi
    local v major
    v=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
    major=${v%%.*}
    [ "$major" = 1 ] && major=$(echo "$v" | cut -d. -f2)
    case "$major" in '' | *[!0-9]*) major=0 ;; esac
    if [ "$major" -lt 17 ]; then
        err "Neo4j 5.26 needs Java 17+, but $JAVA is version '${v:-unknown}'"; exit 1
    fi
}

# Rebuild when pom.xml or any source is newer than the last successful build.
build_is_current() {
    local stamp=$SERVER_DIR/target/.build-stamp
    [ -f "$stamp" ] && [ -d "$SERVER_DIR/target/lib" ] && [ -d "$SERVER_DIR/target/classes" ] &&
        [ -z "$(find "$SERVER_DIR/pom.xml" "$SERVER_DIR/src" -newer "$stamp" -print -quit)" ]
}

build_if_needed() {
    build_is_current && return 0
    # Servers on other data folders share this build: serialise builds of this checkout
    # (a read-only fd on pom.xml is enough for flock, and leaves no lock file behind).
    if command -v flock >/dev/null 2>&1; then
        exec 8<"$SERVER_DIR/pom.xml"
        flock -w 900 8 || { err "could not lock $SERVER_DIR/pom.xml for the build"; exit 1; }
        build_is_current && { exec 8<&-; return 0; }
    fi
    command -v mvn >/dev/null 2>&1 || { err "mvn not found: Maven is needed to build $SERVER_DIR"; exit 1; }
    say "building $SERVER_DIR (the first build downloads ~160 MB from Maven Central)..."
    # clean: after a version bump, old jars left in target/lib would end up on the classpath too.
    # Output goes to a file (Maven 3.8's -q still prints colour codes), shown only on failure.
    local build_log
    build_log=$(mktemp "${TMPDIR:-/tmp}/neo4j-server-build.XXXXXX")
    if ! (cd "$SERVER_DIR" && mvn -q -B -Dstyle.color=never clean package) >"$build_log" 2>&1 8<&- 9>&-; then
        cat "$build_log" >&2
        rm -f "$build_log"
        err "build failed (mvn clean package in $SERVER_DIR)"; exit 1
    fi
    rm -f "$build_log"
    touch "$SERVER_DIR/target/.build-stamp"
    exec 8<&- # release the build lock
}

# Our process: the pid in the pid file is alive and really is this launcher on this data folder
# (a pid file surviving a reboot can point at an unrelated process).
read_pid() {
    PID=
    [ -f "$PID_FILE" ] || return 1
    PID=$(tr -dc '0-9' <"$PID_FILE")
    [ -n "$PID" ] || return 1
    kill -0 "$PID" 2>/dev/null || return 1
    local args
    args=$(ps -p "$PID" -o args= 2>/dev/null) || return 1
    case "$args" in *"$MAIN_CLASS $DATA_DIR"*) return 0 ;; esac
    return 1
}

# A Bolt handshake, not just a TCP connect: proves a Bolt server (5.0-5.8 or 4.4) answers,
# using only bash's /dev/tcp and coreutils.
bolt_answers() {
    # shellcheck disable=SC2016 # expanded by the inner bash, port passed as $1
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "\x60\x60\xb0\x17\x00\x08\x08\x05\x00\x00\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00" >&3
        reply=$(head -c 4 <&3 | od -An -tx1 | tr -d " \n")
        case "$reply" in 0000??0[45]) exit 0 ;; *) exit 1 ;; esac # agreed version: 00 00 minor major
    ' _ "$PORT" 2>/dev/null 9>&-
}

show_log_tail() {
    if [ -f "$LOG_FILE" ]; then
        err "last lines of $LOG_FILE:"
        tail -n 40 "$LOG_FILE" >&2
    fi
    if [ -f "$DATA_DIR/logs/debug.log" ]; then
        err "recent errors in $DATA_DIR/logs/debug.log (Neo4j's own log):"
        tail -n 300 "$DATA_DIR/logs/debug.log" | grep -E ' ERROR ' | tail -n 10 >&2 || true
    fi
}

# Wait until the launcher has set the password (ready file holds its pid) and Bolt answers.
wait_ready() {
    local pid=$1 deadline=$((SECONDS + START_TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            err "the server exited during startup"
            show_log_tail
            rm -f "$PID_FILE"
            return 1
        fi
        if [ -f "$READY_FILE" ] && [ "$(tr -dc '0-9' <"$READY_FILE")" = "$pid" ] && bolt_answers; then
            return 0
        fi
        sleep 1
    done
    err "Bolt did not answer on 127.0.0.1:$PORT within ${START_TIMEOUT}s; stopping pid $pid"
    show_log_tail
    stop_pid "$pid" || true
    return 1
}

stop_pid() {
    local pid=$1 deadline=$((SECONDS + STOP_TIMEOUT))
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            err "pid $pid did not stop within ${STOP_TIMEOUT}s; killing it (the next start will run recovery)"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            rm -f "$PID_FILE" "$READY_FILE"
            return 1
        fi
        sleep 0.5
    done
    rm -f "$PID_FILE" "$READY_FILE"
}

cmd_start() {
    abs_data_dir
    take_lock
    if read_pid; then
        if bolt_answers; then
            say "already running (pid $PID, bolt://127.0.0.1:$PORT, data $DATA_DIR)"
            return 0
        fi
        say "pid $PID is starting; waiting for Bolt on 127.0.0.1:$PORT..."
        wait_ready "$PID" || exit 1
        say "running (pid $PID, bolt://127.0.0.1:$PORT, data $DATA_DIR)"
        return 0
    fi
    rm -f "$PID_FILE" "$READY_FILE"
    if bolt_answers; then
        err "something else already answers Bolt on 127.0.0.1:$PORT (not started from $DATA_DIR);"
        err "stop it or choose another NEO4J_BOLT_PORT"
        exit 1
    fi

    find_java
    build_if_needed

    if [ -z "${NEO4J_PASSWORD:-}" ]; then
        err "NEO4J_PASSWORD is not set; using the development default '$DEFAULT_PASSWORD'"
        NEO4J_PASSWORD=$DEFAULT_PASSWORD
    fi

    [ -f "$LOG_FILE" ] && mv -f "$LOG_FILE" "$LOG_FILE.1"
    # Password and port go through the environment, never the command line (visible in ps).
    # nohup: the server must outlive this shell and the terminal that ran it; nohup execs
    # java, so $! is the JVM's own pid.
    # shellcheck disable=SC2086 # JAVA_MEM_OPTS is a list of options
    NEO4J_PASSWORD=$NEO4J_PASSWORD NEO4J_BOLT_PORT=$PORT NEO4J_DATA_DIR=$DATA_DIR \
        NEO4J_TX_MEMORY=${NEO4J_TX_MEMORY:-0} nohup "$JAVA" $JAVA_MEM_OPTS "${JAVA_FIXED_OPTS[@]}" \
        -cp "$SERVER_DIR/target/classes:$SERVER_DIR/target/lib/*" \
        "$MAIN_CLASS" "$DATA_DIR" >"$LOG_FILE" 2>&1 </dev/null 8<&- 9>&- &
    local pid=$!
    echo "$pid" >"$PID_FILE"
    say "starting (pid $pid, log $LOG_FILE)..."
    wait_ready "$pid" || exit 1
    say "running (pid $pid, bolt://127.0.0.1:$PORT, user neo4j, data $DATA_DIR)"
}

cmd_stop() {
    abs_data_dir
    take_lock
    if ! read_pid; then
        rm -f "$PID_FILE" "$READY_FILE"
        say "not running"
        return 0
    fi
    say "stopping pid $PID..."
    stop_pid "$PID" || exit 1
    say "stopped"
}

cmd_status() {
    abs_data_dir
    if read_pid; then
        if bolt_answers; then
            say "running (pid $PID, bolt://127.0.0.1:$PORT, data $DATA_DIR)"
            return 0
        fi
        say "not answering: pid $PID is alive but Bolt does not answer on 127.0.0.1:$PORT (starting?)"
        return 1
    fi
    say "not running (data $DATA_DIR)"
    return 1
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
