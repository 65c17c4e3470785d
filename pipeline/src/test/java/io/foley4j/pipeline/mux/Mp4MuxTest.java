package io.foley4j.pipeline.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.audio.WavFormatException;
import io.foley4j.pipeline.audio.WavWriter;
import io.foley4j.pipeline.video.VideoException;
import io.foley4j.pipeline.video.VideoIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jcodec.common.DemuxerTrack;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.model.Packet;
import org.jcodec.containers.mp4.boxes.AudioSampleEntry;
import org.jcodec.containers.mp4.demuxer.AbstractMP4DemuxerTrack;
import org.jcodec.containers.mp4.demuxer.MP4Demuxer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Muxed output re-opened with the project's VideoIndex and JCodec's demuxer: every video sample identical in bytes
 * and timing, the video track's boxes identical except the chunk offsets, the audio track equal to the WAV.
 */
class Mp4MuxTest {
    @TempDir Path dir;

    static Path resource(String name) {
        try {
            return Path.of(Mp4MuxTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    /** A WAV of {@code frames} frames: a sine per channel plus noise, full scale peaks included. */
    Path wav(String name, int rate, int channels, int frames, Wav.Format format) throws IOException {
        SplittableRandom r = new SplittableRandom(frames * 31L + channels);
        float[] x = new float[frames * channels];
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channels; c++) {
                x[i * channels + c] = (float) (0.6 * Math.sin(2 * Math.PI * (220 + 110 * c) * i / rate)
                        + 0.45 * (r.nextDouble() * 2 - 1));   // |x| can pass 1: clamping is exercised
            }
        }
        Path p = dir.resolve(name);
        try (WavWriter w = WavWriter.open(p, rate, channels, format)) {
            w.write(x, 0, frames);
            w.finish();
        }
        return p;
    }

    @Test
    void videoUntouchedAudioEqualsWav() throws IOException {
        String[] clips = {"video/baseline.mp4", "video/high.mp4", "video/vfr.mov", "mux/with_audio.mp4"};
        for (String clip : clips) {
            Path in = resource(clip);
            Path w = wav("a.wav", 48000, 2, 96_123, Wav.Format.PCM16);   // 2.0 s, not a whole number of chunks
            Path out = dir.resolve("out_" + in.getFileName());
            Mp4Mux.addAudio(in, w, out);
            assertVideoIdentical(in, out);
            assertAudioEqualsWav(out, w);
            assertNoLeftovers(out);
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)), "new file mode");
        }
    }

    @Test
    void existingAudioIsReplaced() throws IOException {
        Path in = resource("mux/with_audio.mp4");
        assertEquals(List.of("vide", "soun"), handlers(in));
        Path out = dir.resolve("replaced.mp4");
        Mp4Mux.addAudio(in, wav("b.wav", 48000, 1, 48_000 * 3 / 2, Wav.Format.PCM16), out);
        assertEquals(List.of("vide", "soun"), handlers(out));
        assertEquals("sowt", Box.fourcc(sampleEntry(out, 1), 4));
        // the AAC data ('mp4a' samples) is gone: output = input - audio chunks + PCM
        assertTrue(Files.size(out) > 48_000 * 3, "PCM is in the file");
    }

    @Test
    void otherTracksAreCopied() throws IOException {
        Path in = resource("mux/with_subs.mp4");
        Path out = dir.resolve("subs.mp4");
        Mp4Mux.addAudio(in, wav("s.wav", 48000, 2, 48_000, Wav.Format.PCM16), out);
        assertEquals(List.of("vide", "sbtl"), handlers(in));
        assertEquals(List.of("vide", "sbtl", "soun"), handlers(out));
        assertVideoIdentical(in, out);
        assertEquals(leaves(in, "sbtl"), leaves(out, "sbtl"), "subtitle trak boxes");
        assertArrayEquals(chunkData(in, "sbtl"), chunkData(out, "sbtl"), "subtitle sample bytes");
    }

    /** All chunk bytes of the first track with {@code handler}, concatenated in chunk order. */
    static byte[] chunkData(Path file, String handler) throws IOException {
        byte[] f = Files.readAllBytes(file), m = moov(file);
        for (Box t : Box.children(m, 8, m.length)) {
            if (t.type().equals("trak") && SourceTrack.handler(m, t).equals(handler)) {
                SourceTrack s = SourceTrack.parse(m, t);
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                for (int c = 0; c < s.chunkOffset().length; c++) {
                    out.write(f, (int) s.chunkOffset()[c], (int) s.chunkBytes()[c]);
                }
                assertTrue(out.size() > 0, handler + " track has data");
                return out.toByteArray();
            }
        }
        throw new AssertionError("no " + handler + " track in " + file);
    }

    @Test
    void floatMonoWavAnd64BitOffsets() throws IOException {
        Path in = resource("video/high.mp4");
        Path w = wav("f.wav", 44100, 1, 30_001, Wav.Format.FLOAT32);
        Path out = dir.resolve("co64.mp4");
        Mp4Mux.addAudio(in, w, out, 0);   // every size counts as past 4 GiB: co64 and a 64-bit mdat header
        byte[] b = Files.readAllBytes(out);
        String text = new String(b, 0, Math.min(b.length, 1 << 16), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("co64") && !text.contains("stco"), "co64 everywhere");
        assertEquals(1, ByteBuffer.wrap(b).getInt(mdatAt(b)), "mdat size field 1 = 64-bit size follows");
        assertVideoIdentical(in, out);
        assertAudioEqualsWav(out, w);
    }

    @Test
    void outputReplacesExistingFileAndInputMayBeOutput() throws IOException {
        Path copy = Files.copy(resource("video/baseline.mp4"), dir.resolve("inplace.mp4"));
        Path w = wav("c.wav", 48000, 2, 4800, Wav.Format.PCM16);
        Path ref = dir.resolve("ref.mp4");
        Mp4Mux.addAudio(copy, w, ref);
        Mp4Mux.addAudio(copy, w, copy);
        assertArrayEquals(Files.readAllBytes(ref), Files.readAllBytes(copy), "in-place result equals a fresh output");
        Mp4Mux.addAudio(copy, w, copy);   // again: the previous PCM track is replaced, not added to
        assertArrayEquals(Files.readAllBytes(ref), Files.readAllBytes(copy), "muxing twice is idempotent");
    }

    static void assertVideoIdentical(Path in, Path out) throws IOException {
        VideoIndex a = VideoIndex.open(in), b = VideoIndex.open(out);
        String what = in.getFileName() + ": ";
        assertEquals(a.timescale, b.timescale, what + "timescale");
        assertArrayEquals(a.size, b.size, what + "sample sizes");
        assertArrayEquals(a.pts, b.pts, what + "pts");
        assertArrayEquals(a.duration, b.duration, what + "durations");
        assertArrayEquals(a.key, b.key, what + "sync flags");
        assertEquals(a.end, b.end, what + "end");
        try (FileChannel ca = FileChannel.open(in); FileChannel cb = FileChannel.open(out)) {
            for (int i = 0; i < a.frameCount(); i++) {
                ByteBuffer x = ByteBuffer.allocate(a.size[i]), y = ByteBuffer.allocate(b.size[i]);
                ca.read(x, a.offset[i]);
                cb.read(y, b.offset[i]);
                if (!x.flip().equals(y.flip())) throw new AssertionError(what + "sample " + i + " bytes differ");
            }
        }
        // the whole video 'trak' is byte-identical apart from its chunk offsets (avcC, stts, ctts, stss, edts...)
        assertEquals(leaves(in, "vide"), leaves(out, "vide"), what + "video trak boxes");
    }

    /** Every box of the first track with {@code handler}, as "path: hex", chunk offset boxes left out. */
    static List<String> leaves(Path file, String handler) throws IOException {
        byte[] m = moov(file);
        for (Box t : Box.children(m, 8, m.length)) {
            if (t.type().equals("trak") && Box.fourcc(m, t.find(m, "mdia/hdlr").body() + 8).equals(handler)) {
                List<String> out = new ArrayList<>();
                leaves(m, t, "trak", out);
                return out;
            }
        }
        throw new AssertionError("no " + handler + " track in " + file);
    }

    private static void leaves(byte[] m, Box b, String path, List<String> out) {
        if (List.of("trak", "mdia", "minf", "stbl").contains(b.type())) {
            for (Box c : b.children(m)) leaves(m, c, path + "/" + c.type(), out);
        } else if (!b.type().equals("stco") && !b.type().equals("co64")) {
            out.add(path + ": " + java.util.HexFormat.of().formatHex(m, b.start(), b.end()));
        }
    }

    static byte[] moov(Path file) throws IOException {
        byte[] f = Files.readAllBytes(file);
        for (Box b : Box.children(f, 0, f.length)) {
            if (b.type().equals("moov")) return Arrays.copyOfRange(f, b.start(), b.end());
        }
        throw new AssertionError("no moov in " + file);
    }

    static List<String> handlers(Path file) throws IOException {
        byte[] m = moov(file);
        List<String> h = new ArrayList<>();
        for (Box t : Box.children(m, 8, m.length)) {
            if (t.type().equals("trak")) h.add(Box.fourcc(m, t.find(m, "mdia/hdlr").body() + 8));
        }
        return h;
    }

    /** The sample entry of track {@code trak} (0-based among the traks), from its header on. */
    static byte[] sampleEntry(Path file, int trak) throws IOException {
        byte[] m = moov(file);
        Box t = Box.children(m, 8, m.length).stream().filter(b -> b.type().equals("trak")).toList().get(trak);
        Box stsd = t.find(m, "mdia/minf/stbl/stsd");
        Box e = Box.children(m, stsd.body() + 8, stsd.end()).getFirst();
        return Arrays.copyOfRange(m, e.start(), e.end());
    }

    static int mdatAt(byte[] f) {
        for (Box b : Box.children(f, 0, f.length)) {
            if (b.type().equals("mdat")) return b.start();
        }
        throw new AssertionError("no mdat");
    }

    /** JCodec's demuxer reads one PCM track whose bytes are the WAV's samples as 16-bit little-endian. */
    static void assertAudioEqualsWav(Path out, Path wavFile) throws IOException {
        Wav.Audio want = Wav.read(wavFile);
        ByteBuffer expect = ByteBuffer.allocate(want.samples().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : want.samples()) {
            expect.putShort((short) Math.max(-32768, Math.min(32767, Math.round(x * 32768.0))));
        }
        expect.flip();
        try (FileChannelWrapper ch = NIOUtils.readableChannel(out.toFile())) {
            MP4Demuxer d = MP4Demuxer.createMP4Demuxer(ch);
            List<DemuxerTrack> audio = d.getAudioTracks();
            assertEquals(1, audio.size(), out + ": audio tracks");
            AudioSampleEntry se = (AudioSampleEntry) ((AbstractMP4DemuxerTrack) audio.get(0)).getSampleEntries()[0];
            assertEquals("sowt", se.getFourcc());
            assertEquals(want.channels(), se.getChannelCount(), "channels");
            assertEquals(want.sampleRate(), (int) se.getSampleRate(), "sample rate");
            ByteBuffer got = ByteBuffer.allocate(expect.remaining() + 1);
            Packet p;
            long pts = 0;
            while ((p = audio.get(0).nextFrame()) != null) {
                assertEquals(pts, p.getPts(), out + ": audio packets are contiguous");
                pts += p.getDuration();
                got.put(p.getData());
            }
            assertEquals(want.frames(), pts, out + ": audio frames");
            assertEquals(expect, got.flip(), out + ": PCM bytes");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertNoLeftovers(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out.getParent())) {
            List<Path> parts = s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
            assertTrue(parts.isEmpty(), "temporary files left: " + parts);
        }
    }

    @Test
    void badVideoInputIsNamed() throws IOException {
        Path w = wav("ok.wav", 48000, 1, 4800, Wav.Format.PCM16);
        byte[] junk = new byte[5000];
        new SplittableRandom(7).nextBytes(junk);
        badVideo(Files.write(dir.resolve("junk.mp4"), junk), w, "not an MP4/MOV file");
        badVideo(Files.write(dir.resolve("empty.mp4"), new byte[0]), w, "empty file");
        badVideo(dir.resolve("missing.mp4"), w, "no such file");
        badVideo(resource("video/audio_only.m4a"), w, "no video track");
        byte[] base = Files.readAllBytes(resource("video/baseline.mp4"));   // moov first: mdat cut
        badVideo(Files.write(dir.resolve("cut.mp4"), Arrays.copyOf(base, base.length * 2 / 3)), w, "truncated");
        byte[] high = Files.readAllBytes(resource("video/high.mp4"));       // moov last: moov lost
        badVideo(Files.write(dir.resolve("cut_high.mp4"), Arrays.copyOf(high, high.length / 2)), w, "truncated");
        badVideo(Files.write(dir.resolve("cut_moov.mp4"), Arrays.copyOf(high, high.length - 100)), w, "truncated");
        // stsz claims far more samples than it holds
        byte[] bad = base.clone();
        int stsz = indexOf(bad, "stsz");
        Box.put32(bad, stsz + 16, 1 << 28);
        badVideo(Files.write(dir.resolve("stsz.mp4"), bad), w, "malformed MP4 index");
        // a chunk offset pointing past the end of the file
        bad = base.clone();
        int stco = indexOf(bad, "stco");
        Box.put32(bad, stco + 16, bad.length - 10);
        badVideo(Files.write(dir.resolve("stco.mp4"), bad), w, "lies outside the file");
    }

    @Test
    void badWavInputIsNamed() throws IOException {
        Path video = resource("video/baseline.mp4");
        badWav(video, dir.resolve("nowhere.wav"), "no such file");
        Path good = wav("g.wav", 48000, 1, 4800, Wav.Format.PCM16);
        byte[] adpcm = Files.readAllBytes(good);
        adpcm[20] = 2;   // format code 2: MS ADPCM
        badWav(video, Files.write(dir.resolve("adpcm.wav"), adpcm), "unsupported sample format");
        byte[] cut = Arrays.copyOf(Files.readAllBytes(good), 1000);
        badWav(video, Files.write(dir.resolve("cut.wav"), cut), "truncated");
        badWav(video, Files.write(dir.resolve("text.wav"), "hello".getBytes()), "truncated");
        badWav(video, wav("hi.wav", 96000, 1, 960, Wav.Format.PCM16), "above 65535 Hz");
        badWav(video, wav("zero.wav", 48000, 2, 0, Wav.Format.PCM16), "no samples");
    }

    private void badVideo(Path video, Path wav, String reason) throws IOException {
        Path out = dir.resolve("bad_out.mp4");
        VideoException e = assertThrows(VideoException.class, () -> Mp4Mux.addAudio(video, wav, out));
        assertTrue(e.getMessage().contains(video.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
        assertFalse(Files.exists(out), "no output after: " + e.getMessage());
        assertNoLeftovers(out);
    }

    private void badWav(Path video, Path wav, String reason) throws IOException {
        Path out = dir.resolve("keep.mp4");
        Files.write(out, new byte[] {1, 2, 3});   // an older output stays as it was
        WavFormatException e = assertThrows(WavFormatException.class, () -> Mp4Mux.addAudio(video, wav, out));
        assertTrue(e.getMessage().contains(wav.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out));
        assertNoLeftovers(out);
    }

    private static int indexOf(byte[] b, String fourcc) {
        for (int i = 4; i + 4 <= b.length; i++) {
            if (Box.fourcc(b, i).equals(fourcc)) return i - 4;
        }
        throw new AssertionError("no " + fourcc);
    }
}
