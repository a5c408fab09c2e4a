package io.github.e2ekit.examples.datastorage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** The audit events table in PostgreSQL. */
final class Events {
  private final Database db;

  Events(Database db) {
    this.db = db;
  }

  AuditEvent insert(AuditEvent e) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO audit_events (service, action) VALUES (?, ?) RETURNING id, created_at")) {
      s.setString(1, e.service());
      s.setString(2, e.action());
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return new AuditEvent(r.getLong(1), e.service(), e.action(), r.getTimestamp(2).toInstant().toString());
      }
    }
  }

  Optional<AuditEvent> find(long id) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT id, service, action, created_at FROM audit_events WHERE id = ?")) {
      s.setLong(1, id);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return Optional.empty();
        }
        return Optional.of(new AuditEvent(r.getLong(1), r.getString(2), r.getString(3),
            r.getTimestamp(4).toInstant().toString()));
      }
    }
  }

  /** Why the database cannot serve events (unreachable, or the schema is missing); empty when it can. */
  Optional<String> problem() {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT count(*) FROM audit_events WHERE false")) {
      s.executeQuery().close();
      return Optional.empty();
    } catch (SQLException e) {
      return Optional.of(db.describe() + ": " + firstLine(e.getMessage()));
    }
  }

  static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
