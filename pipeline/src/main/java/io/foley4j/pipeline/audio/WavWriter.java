package io.foley4j.pipeline.audio;

import io.foley4j.loader.OutputFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Streaming WAV writer: chunks are converted through one fixed buffer and written as they come, so long audio never
 * sits in memory whole. Samples go to a temporary file next to the target; {@link #finish} patches the header sizes
 * and renames it over the target atomically. {@link #close} without {@link #finish} (an exception mid-way) deletes
 * the temporary file, so the target is never half-written. Use:
 * <pre>try (WavWriter w = WavWriter.open(path, 48000, 2, Wav.Format.PCM16)) { w.write(...); ...; w.finish(); }</pre>
 * Float files carry an 18-byte fmt chunk and a fact chunk (as the WAVE spec asks for non-PCM data). RIFF sizes are
 * 32-bit: output past 4 GiB is refused with a {@link WavFormatException} (RF64 is not supported).
 */
public final class WavWriter implements AutoCloseable {
    private static final int BLOCK = 1 << 16;
    /** Largest RIFF payload: the size field is an unsigned 32-bit count of the bytes after it. */
    static final long RIFF_MAX = 0xFFFFFFFFL;

    private final Path target, temp;
    private final FileChannel ch;
    private final int sampleRate, channels;
    private final Wav.Format format;
    private final int headerBytes;
    private final long maxData;
    private final ByteBuffer buf = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
    private long dataBytes;
    private boolean finished, closed;

    private WavWriter(Path target, Path temp, FileChannel ch, int sampleRate, int channels, Wav.Format format,
                      long riffMax) {
        this.target = target;
        this.temp = temp;
        this.ch = ch;
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.format = format;
        this.headerBytes = format == Wav.Format.PCM16 ? 44 : 58;
        this.maxData = riffMax - (headerBytes - 8);
    }

    public static WavWriter open(Path target, int sampleRate, int channels, Wav.Format format) throws IOException {
        return open(target, sampleRate, channels, format, RIFF_MAX);
    }

    /** {@code riffMax} lowers the 4 GiB limit, so tests can reach it. */
    static WavWriter open(Path target, int sampleRate, int channels, Wav.Format format, long riffMax)
            throws IOException {
        if (sampleRate <= 0 || channels < 1 || channels > 65535 || format == null) {
            throw new IllegalArgumentException("WavWriter: illegal " + channels + " channels at " + sampleRate
                    + " Hz, format " + format + " for " + target);
        }
        Path abs = target.toAbsolutePath();
        Path temp = OutputFiles.tempBeside(abs);
        FileChannel ch;
        try {
            ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp); // no writer owns it yet: close() could not remove it
            throw e;
        }
        WavWriter w = new WavWriter(abs, temp, ch, sampleRate, channels, format, riffMax);
        try {
            w.writeHeader();
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    /** Frames written so far. */
    public long frames() { return dataBytes / ((long) channels * format.bytes()); }

    /** Appends {@code frames} frames from {@code samples[off, off + frames * channels)} (interleaved). */
    public void write(float[] samples, int off, int frames) throws IOException {
        if (finished || closed) throw new IllegalStateException("WavWriter: " + target + " is already " + (finished ? "finished" : "closed"));
        if (off < 0 || frames < 0 || off + (long) frames * channels > samples.length) {
            throw new IllegalArgumentException("WavWriter.write: " + frames + " frames of " + channels
                    + " channels at offset " + off + " exceed an array of " + samples.length);
        }
        long add = (long) frames * channels * format.bytes();
        if (dataBytes + add > maxData) {
            throw new WavFormatException(target, "output would reach " + (dataBytes + add) + " bytes of samples,"
                    + " past the " + maxData + "-byte limit of a RIFF/WAV file (4 GiB); write shorter files");
        }
        int n = frames * channels;
        for (int i = 0; i < n; i++) {
            if (buf.remaining() < 4) drain();
            float x = samples[off + i];
            if (format == Wav.Format.PCM16) buf.putShort(Wav.toPcm16(x));
            else buf.putFloat(x);
        }
        dataBytes += add;
    }

    /** Flushes, patches the header sizes, syncs and atomically renames the file onto its target. */
    public void finish() throws IOException {
        if (finished || closed) throw new IllegalStateException("WavWriter: " + target + " is already " + (finished ? "finished" : "closed"));
        drain();
        buf.clear();
        buf.putInt(0, (int) (headerBytes - 8 + dataBytes));
        ch.write(buf.slice(0, 4), 4);
        if (format == Wav.Format.FLOAT32) {
            buf.putInt(0, (int) frames());
            ch.write(buf.slice(0, 4), 46); // fact: sample frames
        }
        buf.putInt(0, (int) dataBytes);
        ch.write(buf.slice(0, 4), headerBytes - 4);
        ch.force(true);
        ch.close();
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        finished = true;
    }

    private void writeHeader() throws IOException {
        buf.clear();
        buf.putInt(WavReader.fourcc("RIFF")).putInt(0).putInt(WavReader.fourcc("WAVE"));
        buf.putInt(WavReader.fourcc("fmt ")).putInt(format == Wav.Format.PCM16 ? 16 : 18);
        int align = channels * format.bytes();
        buf.putShort((short) format.code).putShort((short) channels).putInt(sampleRate).putInt(sampleRate * align)
                .putShort((short) align).putShort((short) format.bits);
        if (format == Wav.Format.FLOAT32) {
            buf.putShort((short) 0); // cbSize
            buf.putInt(WavReader.fourcc("fact")).putInt(4).putInt(0);
        }
        buf.putInt(WavReader.fourcc("data")).putInt(0);
        drain();
    }

    private void drain() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }

    /** After {@link #finish}: nothing. Otherwise abandons the output: the temporary file is deleted. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        if (!finished) {
            try {
                ch.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
