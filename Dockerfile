# kominkan on Debian 12 (bookworm): build stage, then a slim runtime.
FROM debian:bookworm-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config libmicrohttpd-dev libsqlite3-dev libsodium-dev \
      libjansson-dev libqrencode-dev libcriterion-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY backend ./backend
COPY tools ./tools
COPY schema ./schema
RUN mkdir -p build && touch build/.deps && make build/kominkan

FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libsqlite3-0 libsodium23 libjansson4 libqrencode4 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/kominkan kominkan \
    && mkdir -p /var/lib/kominkan && chown kominkan /var/lib/kominkan
WORKDIR /opt/kominkan
COPY --from=build /src/build/kominkan /usr/local/bin/kominkan
COPY ordinances ./ordinances
COPY web ./web
USER kominkan
EXPOSE 8080
VOLUME ["/var/lib/kominkan"]
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["kominkan", "serve", "--db", "/var/lib/kominkan/kominkan.db", "--listen", "0.0.0.0:8080", \
     "--ordinances", "/opt/kominkan/ordinances/maebashi", "--web", "/opt/kominkan/web"]
