"""Paired training data: matching, reports, splits and tf.data pipelines."""
