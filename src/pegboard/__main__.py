from pegboard.cli import app

app()
