package io.github.e2ekit.examples.datastorage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Where PostgreSQL is; one short-lived JDBC connection per use (a pool is not worth it for this example). */
final class Database {
  private final String url;
  private final Properties props = new Properties();

  Database(String url, String user, String password) {
    this.url = url;
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "3");
    props.setProperty("socketTimeout", "10");
    props.setProperty("ApplicationName", "datastorage");
  }

  static Database fromEnvironment() {
    return new Database(DataStorage.env("DATABASE_URL", "jdbc:postgresql://postgresql:5432/datastorage"),
        DataStorage.env("DATABASE_USER", "datastorage"), DataStorage.env("DATABASE_PASSWORD", ""));
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, props);
  }

  String describe() {
    return url;
  }
}
