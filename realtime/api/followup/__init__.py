"""Following up with the complainants (issue 13): the written reply and the callbacks, API and sections."""
