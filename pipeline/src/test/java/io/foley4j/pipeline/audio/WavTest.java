package io.foley4j.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WAV round trips for every format and channel count, streaming writes, and malformed-file errors. */
class WavTest {
    @TempDir Path dir;

    static float[] noise(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2.2 - 1.1); // includes out-of-range values
        return a;
    }

    @Test
    void roundTripEveryFormat() throws IOException {
        for (Wav.Format format : Wav.Format.values()) {
            for (int channels : new int[] {1, 2}) {
                for (int frames : new int[] {0, 1, 4099, 40_000}) { // 40 000 stereo frames span several write blocks
                    float[] x = noise(frames + channels, frames * channels);
                    Path p = dir.resolve("rt_" + format + "_" + channels + "_" + frames + ".wav");
                    try (WavWriter w = WavWriter.open(p, 22050, channels, format)) {
                        int half = frames / 2; // two chunks, the second starting mid-array
                        w.write(x, 0, half);
                        w.write(x, half * channels, frames - half);
                        assertEquals(frames, w.frames());
                        w.finish();
                    }
                    Wav.Audio a = Wav.read(p);
                    assertEquals(22050, a.sampleRate());
                    assertEquals(channels, a.channels());
                    assertEquals(frames, a.frames());
                    long expectBytes = (format == Wav.Format.PCM16 ? 44 : 58) + (long) frames * channels * format.bytes();
                    assertEquals(expectBytes, Files.size(p), format + " file size");
                    for (int i = 0; i < x.length; i++) {
                        float want = format == Wav.Format.FLOAT32 ? x[i] : Wav.toPcm16(x[i]) / 32768f;
                        if (want != a.samples()[i]) {
                            throw new AssertionError(format + " ch=" + channels + " sample " + i + ": got "
                                    + a.samples()[i] + " expected " + want + " (input " + x[i] + ")");
                        }
                    }
                    assertTrue(Math.abs(a.samples().length == 0 ? 0 : a.samples()[0] - x[0]) <= 1.1, "sanity");
                }
            }
        }
    }

    /** A new output is rw-r--r-- (not the rw------- of a temp file); a replaced one keeps its own mode. POSIX only. */
    @Test
    void outputsGetTheModeOfANewFileOrOfTheOneTheyReplace() throws IOException {
        Wav.Audio a = new Wav.Audio(16000, 1, new float[160]);
        Path fresh = dir.resolve("new.wav"), kept = dir.resolve("kept.wav");
        Wav.write(fresh, a, Wav.Format.PCM16);
        Wav.write(kept, a, Wav.Format.PCM16);
        if (Files.getFileAttributeView(fresh, PosixFileAttributeView.class) == null) return; // no modes to check
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-r-----"));
        Wav.write(kept, a, Wav.Format.FLOAT32);
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
    }

    @Test
    void pcm16RewriteIsBitIdentical() throws IOException {
        Path src = Ref.path("glass_door_open.wav");
        Wav.Audio a = Wav.read(src);
        assertEquals(22050, a.sampleRate());
        assertEquals(1, a.channels());
        Path out = dir.resolve("copy.wav");
        Wav.write(out, a, Wav.Format.PCM16);
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(out), "ffmpeg's 44-byte PCM file re-written");
    }

    @Test
    void streamingReadInPieces() throws IOException {
        float[] x = noise(7, 2 * 70_001);
        Path p = dir.resolve("s.wav");
        Wav.write(p, new Wav.Audio(48000, 2, x), Wav.Format.FLOAT32);
        float[] got = new float[x.length];
        try (WavReader r = WavReader.open(p)) {
            int at = 0, n;
            while ((n = r.read(got, at * 2, Math.min(777, r.header().channels() == 2 ? (x.length / 2 - at) : 0))) > 0) at += n;
            assertEquals(70_001, at);
            assertEquals(0, r.remaining());
            assertEquals(0, r.read(got, 0, 10));
        }
        assertArrayEquals(x, got);
    }

    /** Builds a RIFF file from chunks (id, body); pads odd bodies; riffSize < 0 means the correct size. */
    static byte[] riff(long riffSize, Object... idAndBody) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(WavReader.fourcc("RIFF")).putInt(0).putInt(WavReader.fourcc("WAVE"));
        for (int i = 0; i < idAndBody.length; i += 2) {
            byte[] body = (byte[]) idAndBody[i + 1];
            b.putInt(WavReader.fourcc((String) idAndBody[i])).putInt(body.length).put(body);
            if ((body.length & 1) == 1) b.put((byte) 0);
        }
        b.putInt(4, (int) (riffSize < 0 ? b.position() - 8 : riffSize));
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    static byte[] fmt(int code, int channels, int rate, int bits, int align, int byteRate) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort((short) code).putShort((short) channels)
                .putInt(rate).putInt(byteRate).putShort((short) align).putShort((short) bits).array();
    }

    static byte[] pcm(short... s) {
        ByteBuffer b = ByteBuffer.allocate(2 * s.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : s) b.putShort(v);
        return b.array();
    }

    @Test
    void skipsExtraChunksAndReadsExtensible() throws IOException {
        Path p = dir.resolve("list.wav");
        Files.write(p, riff(-1, "LIST", "INFOISFT\u0005\u0000\u0000\u0000Lavf\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                "fmt ", fmt(1, 1, 8000, 16, 2, 16000), "junk", new byte[3], "data", pcm((short) 16384, (short) -32768)));
        Wav.Audio a = Wav.read(p);
        assertArrayEquals(new float[] {0.5f, -1f}, a.samples());

        ByteBuffer ext = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        ext.put(fmt(0xFFFE, 1, 8000, 32, 4, 32000)).putShort((short) 22).putShort((short) 32).putInt(4)
                .putShort((short) 3); // sub-format GUID starts with the format code (IEEE float)
        byte[] data = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).array();
        Files.write(p, riff(-1, "fmt ", ext.array(), "data", data));
        a = Wav.read(p);
        assertEquals(Wav.Format.FLOAT32, WavReader.open(p).header().format());
        assertArrayEquals(new float[] {0.25f}, a.samples());
    }

    private void bad(String name, byte[] file, String expect) throws IOException {
        Path p = dir.resolve(name + ".wav");
        Files.write(p, file);
        WavFormatException e = assertThrows(WavFormatException.class, () -> Wav.read(p), name);
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains(expect),
                name + ": message should name the file and say '" + expect + "': " + e.getMessage());
    }

    @Test
    void rejectsMalformedFiles() throws IOException {
        byte[] fmt16 = fmt(1, 1, 8000, 16, 2, 16000);
        byte[] good = riff(-1, "fmt ", fmt16, "data", pcm((short) 1, (short) 2, (short) 3));
        bad("empty", new byte[0], "too short");
        bad("notriff", "RIFX\u0000\u0000\u0000\u0000WAVE".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "not a RIFF/WAVE");
        bad("truncated", java.util.Arrays.copyOf(good, good.length - 2), "truncated");
        byte[] longData = good.clone();
        ByteBuffer.wrap(longData).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 600); // data chunk claims 600 bytes
        bad("chunksize", longData, "declares 600 bytes");
        bad("format24", riff(-1, "fmt ", fmt(1, 1, 8000, 24, 3, 24000), "data", new byte[3]), "unsupported sample format");
        bad("alaw", riff(-1, "fmt ", fmt(6, 1, 8000, 8, 1, 8000), "data", new byte[3]), "format code 6");
        bad("align", riff(-1, "fmt ", fmt(1, 2, 8000, 16, 2, 16000), "data", new byte[4]), "block align 2");
        bad("partialframe", riff(-1, "fmt ", fmt(1, 2, 8000, 16, 4, 32000), "data", new byte[6]), "whole number");
        bad("datafirst", riff(-1, "data", new byte[2], "fmt ", fmt16), "before the fmt");
        bad("nodata", riff(-1, "fmt ", fmt16), "no data chunk");
        bad("nofmt", riff(-1, "LIST", new byte[4]), "no fmt chunk");
        bad("shortfmt", riff(-1, "fmt ", new byte[14], "data", new byte[2]), "needs at least 16");
    }

    @Test
    void abandonedWriteLeavesNoFile() throws IOException {
        Path p = dir.resolve("never.wav");
        Files.writeString(p, "previous content");
        assertThrows(IllegalStateException.class, () -> {
            try (WavWriter w = WavWriter.open(p, 16000, 1, Wav.Format.PCM16)) {
                w.write(new float[1000], 0, 1000);
                throw new IllegalStateException("generation failed mid-way");
            }
        });
        assertEquals("previous content", Files.readString(p), "target untouched");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "temporary file removed");
        }
    }

    @Test
    void refusesOutputPastRiffLimit() throws IOException {
        Path p = dir.resolve("big.wav");
        // a 1000-byte RIFF limit stands in for 4 GiB: 36 header bytes + 964 data bytes = 482 mono 16-bit frames
        try (WavWriter w = WavWriter.open(p, 16000, 1, Wav.Format.PCM16, 1000)) {
            w.write(new float[482], 0, 482);
            WavFormatException e = assertThrows(WavFormatException.class, () -> w.write(new float[1], 0, 1));
            assertTrue(e.getMessage().contains("4 GiB") && e.getMessage().contains(p.getFileName().toString()),
                    e.getMessage());
        }
        assertFalse(Files.exists(p));
        try (WavWriter w = WavWriter.open(p, 16000, 1, Wav.Format.PCM16, 1000)) {
            w.write(new float[482], 0, 482);
            w.finish();
        }
        assertEquals(482, Wav.read(p).frames());
        assertEquals(WavWriter.RIFF_MAX, 0xFFFFFFFFL);
    }

    @Test
    void rejectsBadArguments() throws IOException {
        Path p = dir.resolve("args.wav");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WavWriter.open(p, 0, 1, Wav.Format.PCM16));
        assertTrue(e.getMessage().contains("0 Hz"), e.getMessage());
        try (WavWriter w = WavWriter.open(p, 8000, 2, Wav.Format.PCM16)) {
            e = assertThrows(IllegalArgumentException.class, () -> w.write(new float[5], 0, 3));
            assertTrue(e.getMessage().contains("3 frames of 2 channels"), e.getMessage());
        }
    }
}
