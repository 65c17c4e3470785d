package io.foley4j.pipeline.sounds;

import com.jcraft.jogg.Packet;
import com.jcraft.jogg.Page;
import com.jcraft.jogg.StreamState;
import com.jcraft.jogg.SyncState;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import io.foley4j.pipeline.audio.Wav;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Ogg Vorbis files (.ogg, .oga) decoded with JOrbis, the pure-Java port of libvorbis's decoder. Only the first
 * logical stream is read (chained files are rare for sound effects). As libvorbis's vorbisfile and ffmpeg do, the
 * output is cut at the last page's granule position, which marks the true end of the final, padded block.
 */
public final class OggVorbis {
    private OggVorbis() {}

    /** Sound effects are short: a larger file is refused rather than held in memory whole. */
    public static final long MAX_FILE_BYTES = 64L << 20;
    private static final int CHUNK = 1 << 14;

    /** The identification header and the length, read without decoding: {@code frames} is -1 when unknown. */
    public record Probe(int sampleRate, int channels, long frames) {
        public double seconds() { return frames < 0 ? Double.NaN : frames / (double) sampleRate; }
    }

    /** Reads the first page's identification header and the last page's granule position. */
    public static Probe probe(Path file) throws IOException {
        byte[] d = readAll(file);
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        if (d.length < 28 || b.getInt(0) != capture()) throw bad(file, "not an Ogg file (no OggS capture pattern)");
        int segments = d[26] & 0xff, body = 27 + segments;
        if (body + 16 > d.length || d[body] != 1 || !"vorbis".equals(new String(d, body + 1, 6, java.nio.charset.StandardCharsets.ISO_8859_1))) {
            throw bad(file, "the first Ogg stream is not Vorbis (Opus, FLAC and Speex in Ogg are not supported)");
        }
        int channels = d[body + 11] & 0xff, rate = b.getInt(body + 12);
        if (channels < 1 || rate <= 0) throw bad(file, "illegal " + channels + " channels at " + rate + " Hz");
        return new Probe(rate, channels, lastGranule(d));
    }

    /** Decodes the whole first logical stream: interleaved floats in [-1, 1]. */
    public static Wav.Audio decode(Path file) throws IOException {
        byte[] d = readAll(file);
        SyncState oy = new SyncState();
        StreamState os = new StreamState();
        Page og = new Page();
        Packet op = new Packet();
        Info vi = new Info();
        Comment vc = new Comment();
        oy.init();
        int[] pos = {0};
        feed(oy, d, pos);
        if (oy.pageout(og) != 1) throw bad(file, "not an Ogg file (no first page)");
        int serial = og.serialno();
        os.init(serial);
        vi.init();
        vc.init();
        if (os.pagein(og) < 0 || os.packetout(op) != 1 || vi.synthesis_headerin(vc, op) < 0) {
            throw bad(file, "the first Ogg stream is not Vorbis");
        }
        int headers = 1;
        while (headers < 3) { // the comment and setup headers may span pages
            int r = oy.pageout(og);
            if (r == 1) {
                os.pagein(og);
                while (headers < 3 && (r = os.packetout(op)) != 0) {
                    if (r < 0 || vi.synthesis_headerin(vc, op) < 0) throw bad(file, "corrupt Vorbis header " + (headers + 1));
                    headers++;
                }
            } else if (r == 0 && !feed(oy, d, pos)) {
                throw bad(file, "end of file inside the Vorbis headers");
            }
        }
        int channels = vi.channels;
        long end = lastGranule(d);
        DspState vd = new DspState();
        vd.synthesis_init(vi);
        Block vb = new Block(vd);
        float[][][] pcmRef = new float[1][][];
        int[] index = new int[channels];
        float[] out = new float[Math.max(channels * CHUNK, end > 0 ? (int) Math.min(Integer.MAX_VALUE - 8, end * channels) : 0)];
        int frames = 0;
        boolean eos = false;
        while (!eos) {
            int r = oy.pageout(og);
            if (r == 0) {
                if (!feed(oy, d, pos)) break;
                continue;
            }
            if (r < 0) continue; // a gap in the data (libvorbis's examples skip it too)
            if (og.serialno() != serial) continue; // another multiplexed stream
            os.pagein(og);
            while ((r = os.packetout(op)) != 0) {
                if (r < 0) continue;
                if (vb.synthesis(op) == 0) vd.synthesis_blockin(vb);
                int n;
                while ((n = vd.synthesis_pcmout(pcmRef, index)) > 0) {
                    if ((long) (frames + n) * channels > out.length) {
                        out = Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, 2L * (frames + n) * channels));
                    }
                    float[][] pcm = pcmRef[0];
                    for (int c = 0; c < channels; c++) {
                        float[] src = pcm[c];
                        for (int i = 0, o = frames * channels + c, s = index[c]; i < n; i++, o += channels) {
                            out[o] = Math.max(-1f, Math.min(1f, src[s + i]));
                        }
                    }
                    frames += n;
                    vd.synthesis_read(n);
                }
            }
            if (og.eos() != 0) eos = true;
        }
        int rate = vi.rate;
        vb.clear();
        vd.clear();
        os.clear();
        vi.clear();
        oy.clear();
        if (end >= 0 && end < frames) frames = (int) end;
        return new Wav.Audio(rate, channels, Arrays.copyOf(out, frames * channels));
    }

    /** Copies the next chunk of {@code d} into the sync state; false at the end of the data. */
    private static boolean feed(SyncState oy, byte[] d, int[] pos) {
        int n = Math.min(CHUNK, d.length - pos[0]);
        if (n <= 0) return false;
        int at = oy.buffer(n);
        System.arraycopy(d, pos[0], oy.data, at, n);
        oy.wrote(n);
        pos[0] += n;
        return true;
    }

    /** The granule position of the last complete page header in {@code d}, or -1. */
    private static long lastGranule(byte[] d) {
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = d.length - 27; i >= 0; i--) {
            if (d[i] == 'O' && b.getInt(i) == capture() && d[i + 4] == 0) {
                long g = b.getLong(i + 6);
                if (g >= 0) return g;
            }
        }
        return -1;
    }

    private static int capture() {
        return 'O' | 'g' << 8 | 'g' << 16 | 'S' << 24;
    }

    private static byte[] readAll(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) throw bad(file, size + " bytes, more than the " + MAX_FILE_BYTES + " accepted");
        return Files.readAllBytes(file);
    }

    private static IOException bad(Path file, String why) {
        return new IOException("Ogg Vorbis " + file + ": " + why);
    }
}
