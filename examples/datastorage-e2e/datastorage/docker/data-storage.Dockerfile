# DataStorage: busybox httpd serving /readyz, /healthz and /version. /version answers the source
# digest the plugin computed for this very context (E2E_SOURCE_DIGEST), so a test can prove it
# talks to the code in the work tree.
FROM scratch
COPY bin/busybox /bin/busybox
COPY src/ /app/
ARG E2E_SOURCE_DIGEST=unknown
RUN ["/bin/busybox", "sh", "/app/install.sh"]
EXPOSE 8080
CMD ["/bin/busybox", "sh", "/app/serve.sh"]
