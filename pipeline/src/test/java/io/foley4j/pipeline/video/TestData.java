package io.foley4j.pipeline.video;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Committed clips and reference outputs under src/test/resources/video (made by make_clips.sh, make_reference.py). */
final class TestData {
    private TestData() {}

    static Path file(String name) {
        try {
            return Path.of(TestData.class.getResource("/video/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource video/" + name, e);
        }
    }

    static RgbImage png(String name) {
        try {
            BufferedImage img = ImageIO.read(file(name).toFile());
            RgbImage out = RgbImage.allocate(img.getWidth(), img.getHeight());
            byte[] d = out.data();
            for (int y = 0, o = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int p = img.getRGB(x, y);
                    d[o++] = (byte) (p >> 16);
                    d[o++] = (byte) (p >> 8);
                    d[o++] = (byte) p;
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {timescale, pts...} in presentation order, from ffprobe. */
    static long[] pts(String clip) {
        try {
            List<String> lines = Files.readAllLines(file(clip.substring(0, clip.indexOf('.')) + ".pts.txt"));
            return lines.stream().filter(s -> !s.isBlank()).mapToLong(Long::parseLong).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Largest |a - b| over all channels, with where it happens. */
    static String maxDiff(RgbImage a, RgbImage b, int[] worst) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new AssertionError("size " + a.width() + "x" + a.height() + " vs " + b.width() + "x" + b.height());
        }
        int max = -1, at = 0;
        for (int i = 0; i < a.data().length; i++) {
            int d = Math.abs((a.data()[i] & 0xff) - (b.data()[i] & 0xff));
            if (d > max) {
                max = d;
                at = i;
            }
        }
        worst[0] = max;
        int px = at / 3;
        return "max |diff| " + max + " at x=" + px % a.width() + " y=" + px / a.width() + " c=" + at % 3
                + " (" + (a.data()[at] & 0xff) + " vs " + (b.data()[at] & 0xff) + ")";
    }
}
