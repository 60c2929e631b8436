"""The reader's widgets: each renders what is bound to it and sends intent upwards."""
