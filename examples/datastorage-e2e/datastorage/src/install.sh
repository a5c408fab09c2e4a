# Lays out the document root; runs at build time.
/bin/busybox mkdir -p /www
echo "$E2E_SOURCE_DIGEST" > /www/version
echo ok > /www/readyz
echo ok > /www/healthz
cp /app/schema.sql /www/schema.sql
