package io.foley4j.pipeline.scene;

import io.foley4j.loader.OutputFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jcodec.api.SequenceEncoder;
import org.jcodec.common.Codec;
import org.jcodec.common.Format;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Rational;

/** Encodes a {@link Scene} to an H.264 MP4 with JCodec's encoder (pure Java), and the sound events it knows. */
public final class ClipWriter {
    private ClipWriter() {}

    /**
     * Writes {@code scene} at {@code fps} to {@code out} (to a temporary name first, then renamed) and the contact
     * times next to it as {@code out + ".contacts.tsv"} (time, x, strength per line).
     */
    public static void write(BouncingScene scene, int fps, Path out) throws IOException {
        write((Scene) scene, fps, out);
        StringBuilder sb = new StringBuilder("# time_s\tx_fraction\tstrength\n");
        for (BouncingScene.Contact c : scene.contacts()) {
            sb.append(String.format(java.util.Locale.ROOT, "%.6f\t%.4f\t%.4f%n", c.time(), c.x(), c.strength()));
        }
        Files.writeString(Path.of(out + ".contacts.tsv"), sb);
    }

    /**
     * Writes {@code scene} at {@code fps} to {@code out} and its events next to it as {@code out + ".events.tsv"}
     * (time, duration, strength per line; duration 0 for an impact). A {@link BouncingScene} goes to
     * {@link #write(BouncingScene, int, Path)} instead (its {@code .contacts.tsv} also has x).
     */
    public static void write(EventScene scene, int fps, Path out) throws IOException {
        write((Scene) scene, fps, out);
        Files.writeString(Path.of(out + ".events.tsv"), eventsTsv(scene));
    }

    /** The {@code .events.tsv} text of {@code scene}: a header line, then time_s, duration_s, strength per event. */
    public static String eventsTsv(EventScene scene) {
        StringBuilder sb = new StringBuilder("# kind " + scene.kind() + "\n# time_s\tduration_s\tstrength\n");
        for (SoundEvent e : scene.events()) {
            sb.append(String.format(java.util.Locale.ROOT, "%.6f\t%.6f\t%.4f%n", e.time(), e.duration(), e.strength()));
        }
        return sb.toString();
    }

    /** Writes {@code scene} at {@code fps} to {@code out} as H.264 (Baseline) in MP4, via a temporary name. */
    public static void write(Scene scene, int fps, Path out) throws IOException {
        if (fps < 1 || fps > 120) throw new IllegalArgumentException("ClipWriter: fps must be in [1, 120], got " + fps);
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = OutputFiles.tempBeside(out);
        try {
            int w = scene.width(), h = scene.height();
            byte[] rgb = new byte[w * h * 3];
            Picture pic = Picture.create(w, h, ColorSpace.RGB);
            try (SeekableByteChannel ch = NIOUtils.writableChannel(tmp.toFile())) {
                SequenceEncoder enc = new SequenceEncoder(ch, Rational.R(fps, 1), Format.MOV, Codec.H264, null);
                int frames = (int) Math.round(scene.seconds() * fps);
                for (int f = 0; f < frames; f++) {
                    scene.render(f / (double) fps, rgb);
                    toSigned(rgb, pic.getPlaneData(0));
                    enc.encodeNativeFrame(pic);
                }
                enc.finish();
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** JCodec keeps 8-bit samples as signed bytes, value - 128. */
    private static void toSigned(byte[] src, byte[] dst) {
        for (int i = 0; i < src.length; i++) dst[i] = (byte) ((src[i] & 0xFF) - 128);
    }
}
