package io.foley4j.pipeline.eval;

import java.util.List;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Fréchet distance between Gaussians fitted to two sets of embeddings (the FID/FAD statistic):
 * d = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1^1/2 S2 S1^1/2)^1/2), with S the (n - 1)-normalized covariances.
 * The square roots come from symmetric eigendecompositions (S1^1/2 S2 S1^1/2 is symmetric positive semi-definite),
 * with eigenvalues below zero from rounding clamped to zero, so rank-deficient covariances (fewer samples than
 * dimensions) are fine.
 */
public final class Frechet {
    private Frechet() {}

    /** Mean and covariance of a set of vectors of one dimension. */
    public record Gaussian(double[] mean, double[][] cov, int count) {
        public static Gaussian fit(List<float[]> xs) {
            if (xs.size() < 2) throw new IllegalArgumentException("Frechet: need >= 2 samples, got " + xs.size());
            int d = xs.get(0).length;
            double[] mu = new double[d];
            for (float[] x : xs) {
                if (x.length != d) throw new IllegalArgumentException("Frechet: samples of dimension " + d + " and " + x.length);
                for (int i = 0; i < d; i++) mu[i] += x[i];
            }
            for (int i = 0; i < d; i++) mu[i] /= xs.size();
            double[][] c = new double[d][d];
            for (float[] x : xs) {
                for (int i = 0; i < d; i++) {
                    double a = x[i] - mu[i];
                    for (int j = 0; j <= i; j++) c[i][j] += a * (x[j] - mu[j]);
                }
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j <= i; j++) {
                    c[i][j] /= xs.size() - 1;
                    c[j][i] = c[i][j];
                }
            }
            return new Gaussian(mu, c, xs.size());
        }
    }

    public static double distance(List<float[]> a, List<float[]> b) {
        return distance(Gaussian.fit(a), Gaussian.fit(b));
    }

    public static double distance(Gaussian a, Gaussian b) {
        int d = a.mean.length;
        if (b.mean.length != d) throw new IllegalArgumentException("Frechet: dimensions " + d + " and " + b.mean.length);
        double dm = 0;
        for (int i = 0; i < d; i++) dm += (a.mean[i] - b.mean[i]) * (a.mean[i] - b.mean[i]);
        RealMatrix s1 = MatrixUtils.createRealMatrix(a.cov), s2 = MatrixUtils.createRealMatrix(b.cov);
        RealMatrix r1 = sqrtPsd(s1);
        RealMatrix m = r1.multiply(s2).multiply(r1);
        m = m.add(m.transpose()).scalarMultiply(0.5);             // exact symmetry for the eigensolver
        double trSqrt = 0;
        for (double ev : new EigenDecomposition(m).getRealEigenvalues()) trSqrt += Math.sqrt(Math.max(0, ev));
        return Math.max(0, dm + s1.getTrace() + s2.getTrace() - 2 * trSqrt);
    }

    /** V diag(sqrt(max(l, 0))) V^T of a symmetric matrix. */
    static RealMatrix sqrtPsd(RealMatrix s) {
        EigenDecomposition e = new EigenDecomposition(s);
        RealMatrix v = e.getV();
        double[] l = e.getRealEigenvalues();
        RealMatrix d = MatrixUtils.createRealMatrix(l.length, l.length);
        for (int i = 0; i < l.length; i++) d.setEntry(i, i, Math.sqrt(Math.max(0, l[i])));
        return v.multiply(d).multiply(v.transpose());
    }
}
