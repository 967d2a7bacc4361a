"""The site's pages, one module each for the timeline, an event, the essays, the classroom
views, the downloads and the site's own files."""
