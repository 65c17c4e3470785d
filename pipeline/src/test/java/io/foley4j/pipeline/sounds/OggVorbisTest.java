package io.foley4j.pipeline.sounds;

import io.foley4j.kernels.Diff;
import io.foley4j.pipeline.audio.Wav;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * JOrbis against Debian's oggdec (libvorbisfile, the reference decoder; 16-bit output) and ffmpeg's independent float
 * decoder; reference/make-reference.sh made the WAVs.
 */
class OggVorbisTest {
    /** Two float decoders of one stream differ by rounding in the inverse MDCT and the floor curve. */
    private static final double FLOAT_TOL = 1e-6; // measured 1.2e-7 vs ffmpeg
    /** oggdec rounds to 16 bits: half a step, plus the float decoders' difference (measured 1.527e-5). */
    private static final double PCM16_TOL = 0.5 / 32768 + FLOAT_TOL;

    private static void matches(String clip, String reference, double tol, int rate, int channels) throws IOException {
        Wav.Audio got = OggVorbis.decode(Sounds.clip(clip));
        Wav.Audio ref = Wav.read(Sounds.path("reference/" + reference));
        assertEquals(rate, got.sampleRate());
        assertEquals(channels, got.channels());
        assertEquals(ref.sampleRate(), got.sampleRate());
        assertEquals(ref.channels(), got.channels());
        assertEquals(ref.frames(), got.frames(), "length: cut at the last granule position");
        Diff d = Diff.of(got.samples(), ref.samples());
        assertTrue(d.maxAbs() <= tol, clip + " vs " + reference + " (max abs, tol " + tol + "): " + d);
        double peak = 0;
        for (float x : ref.samples()) peak = Math.max(peak, Math.abs(x));
        assertTrue(peak > 0.05, "the reference is not silence: peak " + peak);
    }

    private static final String BELL = "sound-theme-freedesktop/usr/share/sounds/freedesktop/stereo/bell.oga";

    @Test
    void stereoMatchesOggdec() throws IOException {
        matches(BELL, "bell.oggdec.wav", PCM16_TOL, 44100, 2);
    }

    @Test
    void stereoMatchesFfmpegAtFloatPrecision() throws IOException {
        matches(BELL, "bell.ffmpeg.wav", FLOAT_TOL, 44100, 2);
    }

    @Test
    void monoAt22kMatchesOggdec() throws IOException {
        matches(Sounds.MODS + "doors/sounds/doors_glass_door_open.ogg", "doors_glass_door_open.oggdec.wav", PCM16_TOL,
                22050, 1);
    }

    @Test
    void probeReadsTheHeadersWithoutDecoding() throws IOException {
        Path f = Sounds.clip(Sounds.MODS + "tnt/sounds/tnt_explode.ogg");
        OggVorbis.Probe p = OggVorbis.probe(f);
        assertEquals(44100, p.sampleRate());
        assertEquals(1, p.channels());
        assertEquals(OggVorbis.decode(f).frames(), p.frames());
        assertEquals(1.3308, p.seconds(), 1e-3); // ffprobe: 1.330794 s
    }

    @Test
    void rejectsWhatIsNotOggVorbis(@TempDir Path dir) throws IOException {
        Path wav = Sounds.path("reference/bell.ffmpeg.wav");
        var e = assertThrows(IOException.class, () -> OggVorbis.probe(wav));
        assertTrue(e.getMessage().contains("not an Ogg file"), e.getMessage());
        Path truncated = dir.resolve("cut.ogg");
        byte[] b = Files.readAllBytes(Sounds.clip(Sounds.MODS + "tnt/sounds/tnt_explode.ogg"));
        Files.write(truncated, java.util.Arrays.copyOf(b, 60));
        assertThrows(IOException.class, () -> OggVorbis.decode(truncated));
    }
}
