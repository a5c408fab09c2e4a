# DataStorage's "server". MODE selects a role: the API (default), or stand-ins for PostgreSQL,
# Redis and the migration job, which share this image so nothing is ever pulled.
case "${MODE:-api}" in
  migrate) echo "migrations applied: $(/bin/busybox wc -l < /app/schema.sql) statements"; exit 0 ;;
  postgres) exec /bin/busybox httpd -f -p 5432 -h /www ;;
  redis) exec /bin/busybox httpd -f -p 6379 -h /www ;;
  crash) echo "datastorage: cannot connect to database" >&2; exit 1 ;;
  *) exec /bin/busybox httpd -f -p 8080 -h /www ;;
esac
