"""What an analyst files: results.json, the self-contained HTML report (one autoescaping Jinja2
environment for every package's reports) and the evidence overlays."""
