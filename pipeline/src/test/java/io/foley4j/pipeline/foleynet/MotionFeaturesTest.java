package io.foley4j.pipeline.foleynet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.foley.Precision;
import io.foley4j.pipeline.scene.ClipWriter;
import io.foley4j.pipeline.scene.DoorScene;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * video.motionFeatures: 2 (absent from foleynet.json, as in models written before it) or 3 (the motion stop column
 * appended); generate's features are the recipe's {@link NeuralFoley#motionFeatures} for either.
 */
class MotionFeaturesTest {
    @TempDir
    Path dir;

    static FoleyNetConfig withMotionFeatures(FoleyNetConfig c, int n) {
        FoleyNetConfig.Aligner a = c.aligner();
        return new FoleyNetConfig(c.format(), c.name(), new FoleyNetConfig.Video(c.video().fps(), null, true, n),
                c.text(), new FoleyNetConfig.Aligner(a.file(), n, a.hidden(), a.bidirectional(), a.outputDim()),
                c.decoder(), c.sampler(), c.vocoder());
    }

    @Test
    void absentMeansTwoAndOnlyTwoOrThreeAreAccepted() throws IOException {
        Path m = dir.resolve("m");
        RandomFoleyNet.tiny(false).write(m);
        String json = Files.readString(m.resolve(FoleyNetConfig.FILE));
        assertTrue(json.contains("\"motionFeatures\" : 2"), json);
        Files.writeString(m.resolve(FoleyNetConfig.FILE), json.replaceAll(",\\s*\"motionFeatures\" : 2", ""));
        FoleyNetConfig c = FoleyNetConfig.read(m);
        assertEquals(2, c.video().motionFeatures());
        assertEquals(2, c.featureDim(0));
        assertEquals(3, withMotionFeatures(c, 3).featureDim(0));
        for (String bad : new String[] {"4", "1", "0"}) {
            Files.writeString(m.resolve(FoleyNetConfig.FILE), json.replace("\"motionFeatures\" : 2", "\"motionFeatures\" : " + bad));
            IOException e = assertThrows(IOException.class, () -> FoleyNetConfig.read(m));
            assertTrue(e.getMessage().contains("video.motionFeatures must be 2") && e.getMessage().contains("got " + bad),
                    e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NeuralFoley.motionFeatures(m, 24, 4, null));
        assertTrue(e.getMessage().contains("count must be 2 or 3, got 4"), e.getMessage());
    }

    @Test
    void aThreeFeatureModelSeesTheRecipesFeaturesAndNeedsAnAlignerForThem() throws Exception {
        Path video = dir.resolve("door.mp4");
        ClipWriter.write(new DoorScene(160, 96, 3, 2), 24, video);
        Path m3 = dir.resolve("m3"), wrong = dir.resolve("wrong");
        FoleyNetConfig c3 = withMotionFeatures(RandomFoleyNet.tiny(false), 3);
        RandomFoleyNet.write(c3, m3, 5);
        FoleyNetConfig.Aligner a = c3.aligner();
        RandomFoleyNet.write(new FoleyNetConfig(c3.format(), c3.name(), c3.video(), c3.text(),
                new FoleyNetConfig.Aligner(a.file(), 2, a.hidden(), a.bidirectional(), a.outputDim()), c3.decoder(),
                c3.sampler(), c3.vocoder()), wrong, 5);
        try (WorkerPool pool = new WorkerPool(1);
             NeuralFoley g = new NeuralFoley(FoleyNet.open(m3, Precision.FP32, pool, dir.resolve("home")), pool, null)) {
            double fps = c3.video().fps();
            NeuralFoley.Features fx = g.features(video);
            float[] three = NeuralFoley.motionFeatures(video, fps, 3, pool);
            float[] two = NeuralFoley.motionFeatures(video, fps, 2, pool);
            assertEquals(fx.frames() * 3, three.length);
            assertArrayEquals(three, fx.values(), "generate's features vs the recipe's");
            float stopMax = 0;
            for (int k = 0; k < fx.frames(); k++) {
                assertEquals(two[2 * k], three[3 * k], "luma change, frame " + k);
                assertEquals(two[2 * k + 1], three[3 * k + 1], "contact, frame " + k);
                stopMax = Math.max(stopMax, three[3 * k + 2]);
            }
            assertEquals(1f, stopMax, "motion stop is normalized by the clip's largest");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FoleyNet.open(wrong, Precision.FP32, pool, dir.resolve("home")));
            assertTrue(e.getMessage().contains("aligner.inputDim 2 != visual features 3"), e.getMessage());
        }
    }
}
