package io.github.e2ekit.examples.datastorage;

import java.util.Optional;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;

/** The read-through cache of events in Redis (Jedis); entries expire after five minutes. */
final class EventCache {
  private static final long TTL_SECONDS = 300;
  private final HostAndPort address;
  private final JedisPooled redis;

  EventCache(String host, int port) {
    this.address = new HostAndPort(host, port);
    this.redis = new JedisPooled(address, DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000)
        .socketTimeoutMillis(2000).build());
  }

  static EventCache fromEnvironment() {
    return new EventCache(DataStorage.env("REDIS_HOST", "redis"),
        Integer.parseInt(DataStorage.env("REDIS_PORT", "6379")));
  }

  Optional<String> get(long id) {
    try {
      return Optional.ofNullable(redis.get(key(id)));
    } catch (JedisException e) {
      System.out.println("cache read failed, reading from the database: " + e.getMessage());
      return Optional.empty();
    }
  }

  void put(long id, String json) {
    try {
      redis.setex(key(id), TTL_SECONDS, json);
    } catch (JedisException e) {
      System.out.println("cache write failed: " + e.getMessage());
    }
  }

  /** Why Redis does not answer; empty when PING answers PONG. */
  Optional<String> problem() {
    try {
      String pong = redis.ping();
      return "PONG".equals(pong) ? Optional.empty() : Optional.of(address + " answered " + pong);
    } catch (JedisException e) {
      return Optional.of(address + ": " + Events.firstLine(e.getMessage()));
    }
  }

  String describe() {
    return address.toString();
  }

  private static String key(long id) {
    return "datastorage:event:" + id;
  }
}
