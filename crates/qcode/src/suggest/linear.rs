//! A small logistic regression on embeddings, one per code.
//!
//! A code has a handful to a few dozen texts for it and a few hundred
//! against it, in 512 dimensions: a model this small is trained in
//! milliseconds by plain gradient descent, and written here because the
//! crates that offer it bring a linear-algebra stack and their own
//! threading for a loop of thirty lines, and because the result must not
//! depend on the thread count. The descent has a fixed number of steps
//! and every sum runs in a fixed order, so the same texts give the same
//! weights, bit for bit.
//!
//! The loss is the logistic loss, each class weighing half (a code has far
//! fewer texts for it than against it), plus an L2 penalty on the weights
//! that keeps them from growing without bound when the classes separate,
//! which they always do in 512 dimensions with so few texts. Nesterov's
//! momentum makes 300 steps enough: embeddings have unit length, so the
//! loss's gradient changes at most by a quarter of the step per unit, and
//! the step is set from that bound.

/// Strength of the L2 penalty on the weights.
const PENALTY: f64 = 1e-2;

/// Steps of gradient descent.
const STEPS: usize = 300;

/// A trained model: `log_odds(x) = weights · x + bias`.
pub(super) struct LogisticRegression {
    weights: Vec<f64>,
    bias: f64,
}

impl LogisticRegression {
    /// Trains on `positives` (label 1) and `negatives` (label 0), which
    /// are unit-length embeddings of one dimension. Without positives the
    /// model scores every passage 0.
    pub(super) fn train(positives: &[&[f32]], negatives: &[&[f32]]) -> LogisticRegression {
        let dimension = positives.first().or(negatives.first()).map_or(0, |x| x.len());
        let mut model = LogisticRegression {
            weights: vec![0.0; dimension],
            bias: 0.0,
        };
        if positives.is_empty() {
            return model;
        }
        let samples: Vec<(&[f32], f64, f64)> = positives
            .iter()
            .map(|&x| (x, 1.0, class_weight(positives.len(), negatives.is_empty())))
            .chain(
                negatives
                    .iter()
                    .map(|&x| (x, 0.0, class_weight(negatives.len(), false))),
            )
            .collect();
        // The loss's gradient is Lipschitz with constant at most
        // (|x|² + 1) / 4 + PENALTY = 0.5 + PENALTY for unit-length x.
        let step = 1.0 / (0.5 + PENALTY);
        let mut previous = (model.weights.clone(), model.bias);
        let mut gradient = vec![0.0; dimension];
        for k in 0..STEPS {
            // The look-ahead point of Nesterov's method.
            let momentum = k as f64 / (k as f64 + 3.0);
            let ahead: Vec<f64> = model
                .weights
                .iter()
                .zip(&previous.0)
                .map(|(&w, &p)| w + momentum * (w - p))
                .collect();
            let ahead_bias = model.bias + momentum * (model.bias - previous.1);
            gradient.iter_mut().zip(&ahead).for_each(|(g, &w)| *g = PENALTY * w);
            let mut bias_gradient = 0.0;
            for &(x, label, weight) in &samples {
                let z = dot(&ahead, x) + ahead_bias;
                let error = weight * (sigmoid(z) - label);
                for (g, &xi) in gradient.iter_mut().zip(x) {
                    *g += error * f64::from(xi);
                }
                bias_gradient += error;
            }
            previous = (model.weights.clone(), model.bias);
            for ((w, &a), &g) in model.weights.iter_mut().zip(&ahead).zip(&gradient) {
                *w = a - step * g;
            }
            model.bias = ahead_bias - step * bias_gradient;
        }
        model
    }

    /// The model's log-odds that `x` belongs to the code.
    #[cfg(test)]
    fn log_odds(&self, x: &[f32]) -> f64 {
        dot(&self.weights, x) + self.bias
    }

    /// The weights (in single precision, to be multiplied with passages
    /// like any embedding) and the bias.
    pub(super) fn into_parts(self) -> (Vec<f32>, f64) {
        (self.weights.iter().map(|&w| w as f32).collect(), self.bias)
    }
}

/// The weight of each of `n` samples of a class, so that each class
/// weighs half the loss (all of it when the other class is empty).
fn class_weight(n: usize, alone: bool) -> f64 {
    if alone { 1.0 / n as f64 } else { 0.5 / n as f64 }
}

fn dot(weights: &[f64], x: &[f32]) -> f64 {
    weights.iter().zip(x).map(|(&w, &xi)| w * f64::from(xi)).sum()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn separates_two_directions_and_ranks_between() {
        let pos = [unit(&[1.0, 0.1, 0.0]), unit(&[0.9, -0.1, 0.1])];
        let neg = [unit(&[0.0, 1.0, 0.0]), unit(&[-0.1, 0.9, 0.2]), unit(&[0.0, 0.0, 1.0])];
        let p: Vec<&[f32]> = pos.iter().map(Vec::as_slice).collect();
        let n: Vec<&[f32]> = neg.iter().map(Vec::as_slice).collect();
        let model = LogisticRegression::train(&p, &n);
        assert!(p.iter().all(|x| model.log_odds(x) > 0.0));
        assert!(n.iter().all(|x| model.log_odds(x) < 0.0));
        // Closer to the positives scores higher.
        let near = model.log_odds(&unit(&[0.8, 0.3, 0.0]));
        let far = model.log_odds(&unit(&[0.3, 0.8, 0.0]));
        assert!(near > far, "{near} {far}");
        // The same data give the same bits.
        let again = LogisticRegression::train(&p, &n);
        assert_eq!(again.weights, model.weights);
        assert_eq!(again.bias.to_bits(), model.bias.to_bits());
    }

    #[test]
    fn without_positives_everything_scores_zero() {
        let neg = [unit(&[0.0, 1.0])];
        let n: Vec<&[f32]> = neg.iter().map(Vec::as_slice).collect();
        let model = LogisticRegression::train(&[], &n);
        assert_eq!(model.log_odds(&unit(&[1.0, 0.0])), 0.0);
    }
}
