/** Pure HLS playlist handling: reading the media playlists ffmpeg writes, writing the master. */

export interface MediaSegment {
  uri: string;
  durationSeconds: number;
}

/** Segments of a media playlist, in order (EXTINF duration, then the URI line). */
export function parseMediaPlaylist(text: string): MediaSegment[] {
  const segments: MediaSegment[] = [];
  let duration: number | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("#EXTINF:")) duration = Number.parseFloat(line.slice("#EXTINF:".length));
    else if (line !== "" && !line.startsWith("#") && duration !== null) {
      segments.push({ uri: line, durationSeconds: duration });
      duration = null;
    }
  }
  return segments;
}

/** BANDWIDTH is the peak bit rate of any one segment (RFC 8216 §4.3.4.2); AVERAGE-BANDWIDTH the
 * mean over the whole stream. Segment sizes are bytes. */
export function segmentBandwidth(segments: readonly { durationSeconds: number; bytes: number }[]): { peak: number; average: number } {
  let peak = 0;
  let bits = 0;
  let seconds = 0;
  for (const s of segments) {
    if (s.durationSeconds <= 0) continue;
    peak = Math.max(peak, (s.bytes * 8) / s.durationSeconds);
    bits += s.bytes * 8;
    seconds += s.durationSeconds;
  }
  return { peak: Math.ceil(peak), average: seconds > 0 ? Math.ceil(bits / seconds) : 0 };
}

export interface Variant {
  /** Relative URI of the media playlist, e.g. "720p/index.m3u8". */
  uri: string;
  bandwidth: number;
  averageBandwidth: number;
  width: number;
  height: number;
  frameRate: number;
  /** RFC 6381 codecs, e.g. ["avc1.64001f", "mp4a.40.2"]. */
  codecs: string[];
}

/** The master playlist listing every rendition. */
export function masterPlaylist(variants: readonly Variant[]): string {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"];
  for (const v of variants) {
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`,
      `CODECS="${v.codecs.join(",")}"`,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(",")}`, v.uri);
  }
  return `${lines.join("\n")}\n`;
}

/** AAC-LC, the only audio codec the transcode writes. */
export const AAC_LC_CODEC = "mp4a.40.2";
