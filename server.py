"""WSGI entry point: ``flask --app server run``, ``waitress-serve server:app``, or run directly."""

from gfmd_kg.web import create_app

app = create_app()

if __name__ == "__main__":
    from gfmd_kg.serve import serve

    serve(app)
