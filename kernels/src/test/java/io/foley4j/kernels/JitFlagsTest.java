package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The run-time check of -XX:PerMethodRecompilationCutoff (see {@link JitFlags}). */
class JitFlagsTest {
    @Test
    void theBuildRunsTestsWithTheRecommendedCutoff() {
        // pom.xml's jvm.flags pass it (bin/foley too): dropping it from there fails here
        assertEquals(String.valueOf(JitFlags.RECOMMENDED), JitFlags.cutoff(), "surefire's JVM flags");
        assertEquals(JitFlags.CUTOFF + "=" + JitFlags.RECOMMENDED, JitFlags.report());
    }

    @Test
    void theDefaultAndLowValuesWarnNamingTheFlagAndTheFix() {
        for (String v : new String[] {"400", "0", "99999"}) {
            String w = JitFlags.warning(v);
            assertNotNull(w, v);
            assertTrue(w.contains("-XX:PerMethodRecompilationCutoff=" + v + " "), w);
            assertTrue(w.contains("-XX:PerMethodRecompilationCutoff=100000"), w);
        }
    }

    @Test
    void enoughNoCutoffOrUnreadableIsSilent() {
        assertNull(JitFlags.warning("100000"));
        assertNull(JitFlags.warning("2147483647"));
        assertNull(JitFlags.warning("-1")); // HotSpot: -1 = no cutoff
        assertNull(JitFlags.warning(null));
        assertNull(JitFlags.warning("not a number"));
    }
}
