package io.foley4j.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import io.foley4j.loader.SafetensorsFile;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java classifier reproduces recipe/classifier.py on the committed classifier (recipe/classifier.safetensors)
 * for three held-out crops: features, embeddings and logits (classifier_parity.safetensors, written by the script).
 */
class AudioClassifierTest {
    static final Path FILE = Path.of("../recipe/classifier.safetensors");

    @Test
    void matchesThePythonClassifier() throws Exception {
        AudioClassifier c = AudioClassifier.load(FILE);
        assertEquals(64, c.nMels());
        assertEquals(128, c.frames());
        try (SafetensorsFile p = SafetensorsFile.open(Path.of(getClass().getResource("/eval/classifier_parity.safetensors").toURI()));
             Arena arena = Arena.ofConfined()) {
            float[] mel = p.toF32("mel", arena).toFloats(), feats = p.toF32("features", arena).toFloats();
            float[] emb = p.toF32("embedding", arena).toFloats(), logits = p.toF32("logits", arena).toFloats();
            int n = 3, crop = 128 * 64, nf = feats.length / n, ne = emb.length / n, nl = logits.length / n;
            for (int i = 0; i < n; i++) {
                float[] m = Arrays.copyOfRange(mel, i * crop, (i + 1) * crop);
                float[] f = c.features(m);
                Diff df = Diff.of(f, Arrays.copyOfRange(feats, i * nf, (i + 1) * nf), 1.0);
                assertTrue(df.maxAbs() <= 1e-4, "features of crop " + i + ": " + df);
                float[] z = c.embedding(m);
                Diff dz = Diff.of(z, Arrays.copyOfRange(emb, i * ne, (i + 1) * ne), 1.0);
                assertTrue(dz.maxAbs() <= 1e-4, "embedding of crop " + i + ": " + dz);
                float[] l = c.logitsOfEmbedding(z);
                float[] want = Arrays.copyOfRange(logits, i * nl, (i + 1) * nl);
                Diff dl = Diff.of(l, want, 1.0);
                assertTrue(dl.maxAbs() <= 1e-4, "logits of crop " + i + ": " + dl);
                assertEquals(AudioClassifier.argmax(want), AudioClassifier.argmax(l));
            }
        }
    }

    @Test
    void captionsMapToTheirClass() throws Exception {
        AudioClassifier c = AudioClassifier.load(FILE);
        assertEquals("footsteps", c.classes().get(c.classOf("footsteps on gravel")));
        assertEquals("fire and water", c.classes().get(c.classOf("water flows")));
        assertEquals(-1, c.classOf("explosion"));            // in no class
    }

    @Test
    void featuresOfAFlatCrop() {
        // constant spectrum: every frame active, no spread, no change
        float[] mel = new float[10 * 4];
        for (int t = 0; t < 10; t++) for (int m = 0; m < 4; m++) mel[t * 4 + m] = -2f - m;
        float[] f = AudioClassifier.features(mel, 4, 0.5);
        assertEquals(16, f.length);
        for (int m = 0; m < 4; m++) {
            assertEquals(-2f - m, f[m], 1e-6);
            assertEquals(0f, f[4 + m], 1e-6);
            assertEquals(0f, f[8 + m], 1e-6);
        }
        assertEquals(1f, f[12], 1e-6);       // active fraction
        assertEquals(1f, f[13], 1e-6);       // envelope mean
        assertEquals(0f, f[14], 1e-6);
        assertEquals(0f, f[15], 1e-6);
    }

    @Test
    void rejectsAFileThatIsNotAClassifier(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("x.safetensors");
        Files.copy(Path.of(getClass().getResource("/eval/classifier_parity.safetensors").toURI()), bad);
        Exception e = assertThrows(java.io.IOException.class, () -> AudioClassifier.load(bad));
        assertTrue(e.getMessage().contains("not an audio classifier"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AudioClassifier.load(FILE).features(new float[65]));
    }
}
