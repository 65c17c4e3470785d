package io.foley4j.pipeline.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Resize + center crop vs PIL/torchvision on real images and on ffmpeg-decoded clip frames; normalize vs torch. */
class ImagePreprocessorTest {
    // PIL and we both use 22-bit fixed-point weights and 8-bit intermediates: the results should be identical.
    private static final int TOLERANCE = 0;

    private static final String[] INPUTS = {"img_fruits", "img_baboon", "img_smarties", "baseline_f0.rgb",
        "high_f7.rgb", "vfr_f5.rgb"};

    @Test
    void resizeCropMatchesPil() {
        for (String in : INPUTS) {
            RgbImage got = ImagePreprocessor.CLIP_224.resizeCrop(TestData.png(in + ".png"));
            RgbImage want = TestData.png(in.replace(".rgb", "") + ".clip.png");
            int[] worst = new int[1];
            String msg = TestData.maxDiff(got, want, worst);
            assertTrue(worst[0] <= TOLERANCE, in + ": " + msg);
        }
    }

    @Test
    void normalizeMatchesTorch() throws IOException {
        List<String> lines = Files.readAllLines(TestData.file("normalized.txt"));
        ImagePreprocessor pre = ImagePreprocessor.CLIP_224;
        int checked = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            // apply() on the already 224x224 reference crop leaves it as is, then normalizes
            float[] out = new float[pre.outputSize()];
            pre.apply(TestData.png(f[0]), out, 0);
            int c = Integer.parseInt(f[1]), y = Integer.parseInt(f[2]), x = Integer.parseInt(f[3]);
            float want = Float.parseFloat(f[4]);
            assertEquals(want, out[c * 224 * 224 + y * 224 + x], 1e-6f, line);
            checked++;
        }
        assertEquals(13 * 5, checked);   // 10 clip frames + 3 images, 5 positions each
    }

    @Test
    void sizesFollowTorchvision() {
        ImagePreprocessor pre = ImagePreprocessor.CLIP_224;
        assertArrayEquals(new int[] {298, 224}, pre.resizedSize(320, 240));
        assertArrayEquals(new int[] {224, 368}, pre.resizedSize(241, 397));   // int(224 * 397 / 241) = 368
        assertArrayEquals(new int[] {397, 224}, pre.resizedSize(330, 186));
    }
}
