# DataStorage: the service's jar and its libraries on a Java 17 runtime. JRE_IMAGE is the public
# eclipse-temurin image; the example's testbed profile passes a base built from this machine's packages.
# /version answers the source digest the plugin computed for this very context (E2E_SOURCE_DIGEST), so a
# test can prove it talks to the code in the work tree.
ARG JRE_IMAGE=eclipse-temurin:17-jre
FROM ${JRE_IMAGE}
COPY target/lib/ /app/lib/
COPY target/datastorage.jar /app/datastorage.jar
ARG E2E_SOURCE_DIGEST=unknown
ENV DATASTORAGE_VERSION=${E2E_SOURCE_DIGEST}
EXPOSE 8080
# small on purpose: four of these run next to four PostgreSQL and four Redis on one machine
ENTRYPOINT ["java", "-Xmx64m", "-Xss512k", "-XX:MaxMetaspaceSize=64m", "-XX:ReservedCodeCacheSize=32m", \
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-jar", "/app/datastorage.jar"]
CMD ["serve"]
