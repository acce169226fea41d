# Vision S3D Converter: one image for the service and the vs3d CLI.
# GDAL comes from the OSGeo image (3.12: COG driver options, recent PROJ); Node is copied in from
# the official image of the version the project's `node` dev dependency pins (package.json), so the
# image and `npm start`/`npm test` run the same Node 24 LTS.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim
ARG GDAL_IMAGE=ghcr.io/osgeo/gdal:ubuntu-small-3.12.0
FROM ${NODE_IMAGE} AS node

FROM ${GDAL_IMAGE}
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx

# External tools the processors run (execa, argument arrays): video, archives; tini as PID 1; the
# font text watermarks and detection labels are drawn with.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg 7zip ca-certificates tini fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
# Node 24 runs the TypeScript sources as they are (type stripping): no loader, no build; dev tools
# (tsx, typescript, the `node` package whose binary the image already has) stay out.
# npm install, not npm ci: the lock lists only the linux-x64 builds of platform packages.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .

ENV NODE_ENV=production \
    WORK_DIR=/var/lib/vs3d/work \
    DATA_DIR=/var/lib/vs3d/data
RUN useradd --system --uid 10001 --home-dir /var/lib/vs3d vs3d \
 && mkdir -p /var/lib/vs3d/work /var/lib/vs3d/data && chown -R vs3d:vs3d /var/lib/vs3d
USER vs3d
EXPOSE 8080
# node itself is the service process, under tini: SIGTERM reaches it (npm would not pass it on),
# it appends TaskInterrupted for running tasks, requeues their deliveries and exits within
# SHUTDOWN_GRACE_SECONDS. test/deploy/entry-command-sigterm.test.ts runs this exact command line.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "src/main.ts"]
