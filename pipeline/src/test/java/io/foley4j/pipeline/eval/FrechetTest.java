package io.foley4j.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrechetTest {
    static Frechet.Gaussian g(double[] mean, double[][] cov) {
        return new Frechet.Gaussian(mean, cov, 100);
    }

    @Test
    void identicalGaussiansAreAtZero() {
        double[][] s = {{2, 0.5, 0}, {0.5, 1, 0.2}, {0, 0.2, 3}};
        assertEquals(0, Frechet.distance(g(new double[] {1, 2, 3}, s), g(new double[] {1, 2, 3}, s)), 1e-9);
    }

    @Test
    void meanShiftAndDiagonalCovariances() {
        // d = |dmu|^2 + sum (a + b - 2 sqrt(a b)) for diagonal covariances
        double[][] a = {{4, 0}, {0, 1}}, b = {{1, 0}, {0, 9}};
        double want = (1 + 4) + (4 + 1 - 2 * 2) + (1 + 9 - 2 * 3);
        assertEquals(want, Frechet.distance(g(new double[] {0, 0}, a), g(new double[] {1, 2}, b)), 1e-9);
    }

    @Test
    void nonCommutingCovariancesMatchTheTwoByTwoClosedForm() {
        // for 2 x 2: tr sqrt(S1^1/2 S2 S1^1/2) = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2))
        double[][] a = {{2, 0.8}, {0.8, 1}}, b = {{1, -0.3}, {-0.3, 0.5}};
        double tr12 = a[0][0] * b[0][0] + a[0][1] * b[1][0] + a[1][0] * b[0][1] + a[1][1] * b[1][1];
        double det = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) * (b[0][0] * b[1][1] - b[0][1] * b[1][0]);
        double want = 0.25 + 3 + 1.5 - 2 * Math.sqrt(tr12 + 2 * Math.sqrt(det));
        double got = Frechet.distance(g(new double[] {0.5, 0}, a), g(new double[] {0, 0}, b));
        assertEquals(want, got, 1e-9);
        assertEquals(got, Frechet.distance(g(new double[] {0, 0}, b), g(new double[] {0.5, 0}, a)), 1e-9);
    }

    @Test
    void fitsSamplesAndAllowsFewerSamplesThanDimensions() {
        SplittableRandom r = new SplittableRandom(5);
        List<float[]> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            a.add(new float[] {(float) r.nextGaussian(), (float) (2 * r.nextGaussian())});
            b.add(new float[] {(float) (1 + r.nextGaussian()), (float) (2 * r.nextGaussian())});
        }
        assertEquals(1.0, Frechet.distance(a, b), 0.1);           // mean shift of 1, same covariance
        List<float[]> few = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            float[] x = new float[32];
            for (int j = 0; j < 32; j++) x[j] = (float) r.nextGaussian();
            few.add(x);
        }
        double d = Frechet.distance(few, few);
        assertEquals(0, d, 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Frechet.distance(few.subList(0, 1), few));
    }
}
