package testimony.neo4jserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * A real Neo4j 5.26 Community server (Bolt only, auth on, loopback only) built from the
 * Maven Central jars, because the project can reach Maven Central but not neo4j.com or docker.
 *
 * Usage: Launcher DATA_DIR   (or env NEO4J_DATA_DIR)
 * Env:   NEO4J_PASSWORD (required), NEO4J_BOLT_PORT (default 7687),
 *        NEO4J_PAGECACHE (default 256m)
 *
 * Normally started through scripts/neo4j-server.sh, which waits for the ready file
 * (DATA_DIR/neo4j-server.ready) and the Bolt port before declaring the server up.
 */
public final class Launcher {
    private static final String READY_FILE = "neo4j-server.ready";

    public static void main(String[] args) throws Exception {
        String dataArg = args.length > 0 ? args[0] : System.getenv("NEO4J_DATA_DIR");
        if (dataArg == null || dataArg.isBlank()) {
            fail("data directory missing: pass it as the first argument or set NEO4J_DATA_DIR");
        }
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            fail("NEO4J_PASSWORD is not set: it becomes the password of user 'neo4j'");
        }
        int port = parsePort(System.getenv().getOrDefault("NEO4J_BOLT_PORT", "7687"));
        long pageCache = parseBytes(System.getenv().getOrDefault("NEO4J_PAGECACHE", "256m"));
        // A cap on one transaction's memory (0: Neo4j's default, none beyond the global pool).
        // The test server runs with one, so a write or a delete that would not scale fails there.
        long txMemory = parseBytes(System.getenv().getOrDefault("NEO4J_TX_MEMORY", "0"));

        Path home = Path.of(dataArg).toAbsolutePath().normalize();
        Files.createDirectories(home);
        Path ready = home.resolve(READY_FILE);
        // A stale ready file from a crashed run would make the start script report success early.
        Files.deleteIfExists(ready);

        // The embedded builder treats this as NEO4J_HOME: store files go to home/data,
        // Neo4j's own debug.log to home/logs.
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                // Bind everything to loopback, so nothing is ever reachable from outside this machine.
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // The embedded DBMS has no web server, but say so explicitly in case that ever changes.
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // Defaults size the page cache from total RAM; on a shared 2-core dev/CI box keep it small.
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size, txMemory)
                // By default each database preallocates a 256 MiB transaction log up front (512 MiB
                // on disk for an empty server) and keeps 2 days of logs; a dev store needs neither.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(64))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "256M size")
                // Netty's default 5 s quiet period, paid twice, made every stop take ~10 s;
                // nobody else shares this server, so 1 s is plenty (internal setting, pinned version).
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 1)
                .build();

        // SIGTERM (the stop script) runs this, so the store is closed cleanly and needs no recovery.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (IOException ignored) {
                // best effort; the next start deletes it anyway
            }
            dbms.shutdown();
        }, "neo4j-shutdown"));

        try {
            setPassword(dbms, password);
        } catch (RuntimeException e) {
            System.err.println("neo4j-server: could not set the password of user 'neo4j': " + e.getMessage());
            System.exit(1); // the hook shuts the DBMS down
        }

        Files.writeString(ready, ProcessHandle.current().pid() + "\n");
        System.out.println("neo4j-server: ready, Bolt on bolt://127.0.0.1:" + port
                + " (Neo4j " + org.neo4j.kernel.internal.Version.getNeo4jVersion() + ", data in " + home + ")");

        // Everything else runs on Neo4j's own threads; keep main alive until the JVM is told to stop.
        Thread.currentThread().join();
    }

    /**
     * The embedded API runs with full privileges, so it can set the password on the system
     * database without knowing the old one (a fresh store starts with neo4j/neo4j, change required).
     * Done on every start so that changing NEO4J_PASSWORD just works.
     */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to the value it already has: that is the normal
            // case on every restart, and means the password is already what we want.
            String msg = String.valueOf(e.getMessage());
            if (!msg.contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s.trim());
            if (p > 0 && p < 65536) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        fail("NEO4J_BOLT_PORT must be a port number, got '" + s + "'");
        return -1;
    }

    /** Accepts plain bytes or a k/m/g suffix, like Neo4j's own memory settings. */
    private static long parseBytes(String s) {
        String t = s.trim().toLowerCase();
        try {
            char unit = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            String num = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1);
            long n = Long.parseLong(num);
            switch (unit) {
                case 'k': return ByteUnit.kibiBytes(n);
                case 'm': return ByteUnit.mebiBytes(n);
                case 'g': return ByteUnit.gibiBytes(n);
                default:
                    if (Character.isDigit(unit)) {
                        return n;
                    }
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        fail("NEO4J_PAGECACHE must look like 256m or 1g, got '" + s + "'");
        return -1;
    }

    private static void fail(String message) {
        System.err.println("neo4j-server: " + message);
        System.exit(2);
    }
}
