"""gridcase: grid management cases and the assessment that pays grid officers."""
