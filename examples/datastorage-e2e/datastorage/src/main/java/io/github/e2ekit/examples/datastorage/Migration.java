package io.github.e2ekit.examples.datastorage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The migration Job: applies {@code db/schema.sql} in one transaction. Waits up to 60 s for PostgreSQL to accept
 * connections; a statement PostgreSQL refuses fails the Job with PostgreSQL's own error text.
 */
final class Migration {
  private Migration() {
  }

  static boolean run(Database db) throws IOException, InterruptedException {
    String sql;
    try (InputStream in = Migration.class.getResourceAsStream("/db/schema.sql")) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try (Connection c = db.connect()) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute(sql);
          c.commit();
          System.out.println("migration applied: db/schema.sql to " + db.describe());
          return true;
        } catch (SQLException e) {
          c.rollback();
          System.out.println("migration failed: db/schema.sql: " + e.getMessage());
          return false;
        }
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          System.out.println("migration failed: cannot connect to " + db.describe() + ": " + e.getMessage());
          return false;
        }
        System.out.println("waiting for " + db.describe() + ": " + Events.firstLine(e.getMessage()));
        Thread.sleep(1000);
      }
    }
  }
}
