"""Stage screening: reviewers' decision files, their states and counts, ASReview exports, and the
screening sheets."""
