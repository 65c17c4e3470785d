package io.foley4j.pipeline.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streaming WAV reader. {@link #open} validates the RIFF structure up front: every chunk must lie inside the file,
 * "fmt " must precede "data", the format must be 16-bit PCM or 32-bit float (plain or WAVE_FORMAT_EXTENSIBLE), and
 * the block alignment and byte rate must agree with it. Chunks other than "fmt " and "data" (LIST, fact, cue...)
 * are skipped. Failures are {@link WavFormatException}s naming the file and the problem.
 */
public final class WavReader implements AutoCloseable {
    private static final int BLOCK = 1 << 16;
    private static final int EXTENSIBLE = 0xFFFE;

    private final Path file;
    private final FileChannel ch;
    private final Wav.Header header;
    private final long dataStart;
    private final ByteBuffer buf = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
    private long framesRead;

    private WavReader(Path file, FileChannel ch, Wav.Header header, long dataStart) {
        this.file = file;
        this.ch = ch;
        this.header = header;
        this.dataStart = dataStart;
    }

    public static WavReader open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return parse(file, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static WavReader parse(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        if (size < 12) throw new WavFormatException(file, "truncated: " + size + " bytes, too short for a RIFF header");
        readFully(ch, b, 0, 12);
        if (b.getInt(0) != fourcc("RIFF") || b.getInt(8) != fourcc("WAVE")) {
            throw new WavFormatException(file, "not a RIFF/WAVE file (starts with \"" + ascii(b, 0) + "\" / \""
                    + ascii(b, 8) + "\")");
        }
        long riffEnd = 8 + Integer.toUnsignedLong(b.getInt(4));
        if (riffEnd > size) {
            throw new WavFormatException(file, "truncated: RIFF size says " + riffEnd + " bytes, file has " + size);
        }
        Wav.Format format = null;
        int channels = 0, rate = 0;
        long pos = 12;
        while (pos + 8 <= riffEnd) {
            readFully(ch, b, pos, 8);
            int id = b.getInt(0);
            long len = Integer.toUnsignedLong(b.getInt(4)), body = pos + 8;
            if (body + len > riffEnd) {
                throw new WavFormatException(file, "truncated or bad chunk size: \"" + ascii(b, 0) + "\" at byte " + pos
                        + " declares " + len + " bytes but only " + (riffEnd - body) + " remain");
            }
            if (id == fourcc("fmt ")) {
                if (len < 16) throw new WavFormatException(file, "fmt chunk of " + len + " bytes (needs at least 16)");
                readFully(ch, b, body, (int) Math.min(len, 40));
                int code = Short.toUnsignedInt(b.getShort(0)), bits = Short.toUnsignedInt(b.getShort(14));
                if (code == EXTENSIBLE) {
                    if (len < 40) throw new WavFormatException(file, "WAVE_FORMAT_EXTENSIBLE fmt chunk of " + len + " bytes (needs 40)");
                    code = Short.toUnsignedInt(b.getShort(24)); // first two bytes of the sub-format GUID
                }
                channels = Short.toUnsignedInt(b.getShort(2));
                rate = b.getInt(4);
                format = code == 1 && bits == 16 ? Wav.Format.PCM16 : code == 3 && bits == 32 ? Wav.Format.FLOAT32 : null;
                if (format == null) {
                    throw new WavFormatException(file, "unsupported sample format (format code " + code + ", " + bits
                            + " bits); supported: 16-bit PCM, 32-bit float");
                }
                if (channels < 1 || rate <= 0) {
                    throw new WavFormatException(file, "illegal " + channels + " channels at " + rate + " Hz");
                }
                int align = Short.toUnsignedInt(b.getShort(12));
                long byteRate = Integer.toUnsignedLong(b.getInt(8));
                if (align != channels * format.bytes() || byteRate != (long) rate * align) {
                    throw new WavFormatException(file, "inconsistent fmt chunk: block align " + align + ", byte rate "
                            + byteRate + " for " + channels + " channels of " + bits + " bits at " + rate + " Hz");
                }
            } else if (id == fourcc("data")) {
                if (format == null) throw new WavFormatException(file, "data chunk before the fmt chunk");
                int align = channels * format.bytes();
                if (len % align != 0) {
                    throw new WavFormatException(file, "data chunk of " + len + " bytes is not a whole number of "
                            + align + "-byte frames");
                }
                return new WavReader(file, ch, new Wav.Header(rate, channels, format, len / align), body);
            }
            pos = body + len + (len & 1); // chunks are padded to even sizes
        }
        throw new WavFormatException(file, format == null ? "no fmt chunk" : "no data chunk");
    }

    public Wav.Header header() { return header; }

    /** Frames not yet read. */
    public long remaining() { return header.frames() - framesRead; }

    /**
     * Reads up to {@code frames} frames into {@code out[off, off + frames * channels)} as floats; returns the frames
     * read (0 at the end).
     */
    public int read(float[] out, int off, int frames) throws IOException {
        int c = header.channels(), bytes = header.format().bytes();
        if (off < 0 || frames < 0 || off + (long) frames * c > out.length) {
            throw new IllegalArgumentException("WavReader.read: " + frames + " frames of " + c + " channels at offset "
                    + off + " do not fit an array of " + out.length);
        }
        int want = (int) Math.min(frames, remaining()), done = 0;
        int perBlock = BLOCK / (c * bytes);
        while (done < want) {
            int n = Math.min(perBlock, want - done);
            readFully(ch, buf, dataStart + (framesRead + done) * c * bytes, n * c * bytes);
            int o = off + done * c;
            if (header.format() == Wav.Format.PCM16) {
                for (int i = 0; i < n * c; i++) out[o + i] = buf.getShort(2 * i) / 32768f;
            } else {
                for (int i = 0; i < n * c; i++) out[o + i] = buf.getFloat(4 * i);
            }
            done += n;
        }
        framesRead += done;
        return done;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, int n) throws IOException {
        b.clear().limit(n);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) throw new IOException("unexpected end of file at byte " + (pos + b.position()));
        }
    }

    static int fourcc(String s) {
        return (s.charAt(0)) | (s.charAt(1) << 8) | (s.charAt(2) << 16) | (s.charAt(3) << 24);
    }

    private static String ascii(ByteBuffer b, int at) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            int ch = b.get(at + i) & 0xff;
            sb.append(ch >= 32 && ch < 127 ? (char) ch : '?');
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    @Override
    public String toString() {
        return "WavReader[" + file + " " + header + "]";
    }
}
