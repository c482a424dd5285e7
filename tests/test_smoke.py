def test_admin_index_renders_for_staff(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 200
    assert b"Doorstep back office" in response.content
