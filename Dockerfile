# Vision S3D Converter: one image for the service and the vs3d CLI.
FROM node:20-bookworm-slim

# External tools the processors run (execa, argument arrays): video, GeoTIFF, archives.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg gdal-bin 7zip ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly, so it is a runtime dependency; dev tools stay out.
# npm install, not npm ci: the lock lists only the linux-x64 builds of platform packages.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .

ENV NODE_ENV=production \
    WORK_DIR=/var/lib/vs3d/work \
    DATA_DIR=/var/lib/vs3d/data
RUN mkdir -p /var/lib/vs3d/work /var/lib/vs3d/data && chown -R node:node /var/lib/vs3d
USER node
EXPOSE 8080
# tini forwards SIGTERM to node, which interrupts running tasks and requeues their deliveries.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["npm", "start"]
